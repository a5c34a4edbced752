import { AppError } from "./errors.ts";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** An ISO 4217 code the platform's Intl data knows, in upper case. */
export function assertCurrency(code: string): string {
  const upper = code.toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || !CURRENCIES.has(upper)) {
    throw new AppError("VALIDATION_FAILED", "currency is not an ISO 4217 code");
  }
  return upper;
}

/** Digits after the decimal point for a currency: 2 for USD, 0 for JPY. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** Formats integer minor units for people, e.g. 123456 USD → "$1,234.56". */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(
    minor / 10 ** digits,
  );
}

/** Converts a decimal amount written in major units ("1054", "10.5") to minor units. */
export function toMinorUnits(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const match = /^(\d{1,13})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, whole = "0", fraction = ""] = match;
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}
