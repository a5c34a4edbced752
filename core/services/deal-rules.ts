import { AppError } from "../errors.ts";
import { assertCurrency } from "../money.ts";
import type { DealStage } from "../store/schema.ts";

export interface DealInput {
  externalRef: string;
  productId: string;
  customerId?: string | null;
  stage: DealStage;
  amount?: number | null;
  currency: string;
  engageDate?: string | null;
  closeDate?: string | null;
  ownerUserId?: string | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Checks a deal's own fields; references are checked against the scope elsewhere. */
export function assertDealFields(input: DealInput): DealInput {
  const fail = (message: string) => new AppError("VALIDATION_FAILED", message);
  const currency = assertCurrency(input.currency);
  for (const field of ["engageDate", "closeDate"] as const) {
    const value = input[field];
    if (value != null && !isCalendarDate(value)) throw fail(`${field} must be a date YYYY-MM-DD`);
  }
  if (input.amount != null && (!Number.isSafeInteger(input.amount) || input.amount < 0)) {
    throw fail("amount must be a non-negative integer in minor units");
  }
  if (input.engageDate && input.closeDate && input.closeDate < input.engageDate) {
    throw fail("closeDate is before engageDate");
  }
  if ((input.stage === "Won" || input.stage === "Lost") && !input.closeDate) {
    throw fail(`a ${input.stage} deal needs a closeDate`);
  }
  if (input.stage === "Won" && input.amount == null) throw fail("a Won deal needs an amount");
  return { ...input, currency };
}
