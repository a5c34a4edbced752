import { parseDuration } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { assertCurrency, toMinorUnits } from "../core/money.ts";
import { isPermission, isRole, type Permission, ROLES, type Role } from "../core/permissions.ts";
import { isCalendarDate } from "../core/services/deal-rules.ts";
import { DEAL_STAGES, type DealStage } from "../core/store/schema.ts";

/** What commander hands a command: positional arguments and camel-cased options. */
export interface RawInput {
  args: readonly string[];
  options: Readonly<Record<string, unknown>>;
}

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

export function optionalString(raw: RawInput, key: string): string | undefined {
  const value = raw.options[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalid(`--${kebab(key)} takes a value`);
  return value;
}

export function requiredString(raw: RawInput, key: string): string {
  const value = optionalString(raw, key);
  if (value === undefined || value.trim() === "") throw invalid(`--${kebab(key)} is required`);
  return value;
}

/** The values of an option that may be given several times, in order. */
export function stringList(raw: RawInput, key: string): string[] {
  const value = raw.options[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw invalid(`--${kebab(key)} takes a value`);
  }
  return value;
}

export function flag(raw: RawInput, key: string): boolean {
  return raw.options[key] === true;
}

export function argument(raw: RawInput, index: number, name: string): string {
  const value = raw.args[index];
  if (value === undefined || value.trim() === "") throw invalid(`<${name}> is required`);
  return value;
}

/** `--partner` and its alias `--org`; both given with different values is an error. */
export function orgScope(raw: RawInput): string | undefined {
  const partner = optionalString(raw, "partner");
  const org = optionalString(raw, "org");
  if (partner !== undefined && org !== undefined && partner !== org) {
    throw invalid("--partner and --org name different orgs; give one");
  }
  return partner ?? org;
}

export function role(value: string): Role {
  if (!isRole(value)) throw invalid(`role must be one of ${ROLES.join(", ")}`);
  return value;
}

/** `a, b,,a` → `["a", "b"]`: trimmed, no empties, no repeats, catalog permissions only. */
export function scopes(value: string): Permission[] {
  const list = [...new Set(value.split(",").map((scope) => scope.trim()))].filter(Boolean);
  if (list.length === 0) throw invalid("--scopes needs at least one scope");
  const unknown = list.filter((scope) => !isPermission(scope));
  if (unknown.length > 0) throw invalid(`unknown scope: ${unknown.join(", ")}`);
  return list.filter(isPermission);
}

/** `a, b,,a` for any option → `["a", "b"]`; an empty list is refused. */
export function commaList(value: string, option: string): string[] {
  const list = [...new Set(value.split(",").map((item) => item.trim()))].filter(Boolean);
  if (list.length === 0) throw invalid(`${option} needs at least one value`);
  return list;
}

/** A calendar date written YYYY-MM-DD, as the daemon's date filters take it. */
export function calendarDate(value: string, option: string): string {
  const trimmed = value.trim();
  if (!isCalendarDate(trimmed)) throw invalid(`${option} must be a date YYYY-MM-DD`);
  return trimmed;
}

export function stage(value: string, option = "--stage"): DealStage {
  return oneOf(value, DEAL_STAGES, option);
}

/** An ISO 4217 code, upper-cased. */
export function currency(value: string, option = "--currency"): string {
  try {
    return assertCurrency(value.trim());
  } catch {
    throw invalid(`${option} ${value} is not an ISO 4217 currency code`);
  }
}

/** An amount in major units (`12.50`) as integer minor units of `currencyCode`. */
export function majorAmount(value: string, currencyCode: string, option: string): number {
  const minor = toMinorUnits(value, currencyCode);
  if (minor === undefined) {
    throw invalid(`${option} must be a non-negative amount in ${currencyCode}, like 12.50`);
  }
  return minor;
}

/** `field` or `-field` (descending), where field is one of `fields`. */
export function sortKey<F extends string>(
  value: string,
  fields: readonly F[],
  option = "--sort",
): F | `-${F}` {
  const field = value.trim().replace(/^-/, "");
  if (!(fields as readonly string[]).includes(field)) {
    throw invalid(`${option} must be one of ${fields.join(", ")}, with - for descending`);
  }
  return value.trim() as F | `-${F}`;
}

/** A duration such as `30d` or `1h`, passed on as written once it parses. */
export function duration(value: string, option: string): string {
  if (parseDuration(value) === undefined) {
    throw invalid(`${option} must be a number and a unit s, m, h or d, like 30d`);
  }
  return value.trim();
}

export function positiveInteger(value: string, option: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw invalid(`${option} must be a positive integer`);
  }
  return Number(value);
}

/** The daemon pages at most 500 rows. */
export const MAX_PAGE = 500;

export function pageLimit(value: string): number {
  const limit = positiveInteger(value, "--limit");
  if (limit > MAX_PAGE) throw invalid(`--limit must be at most ${MAX_PAGE}`);
  return limit;
}

export function port(value: string): number {
  const number = positiveInteger(value, "--port");
  if (number > 65_535) throw invalid("--port must be at most 65535");
  return number;
}

/**
 * A point in time for audit filters: an ISO 8601 time, or a duration meaning
 * that long before `now` (`--since 24h`).
 */
export function instant(value: string, option: string, now: Date): string {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now.getTime() - ago).toISOString();
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw invalid(`${option} must be an ISO 8601 time or a duration like 24h`);
  }
  return new Date(parsed).toISOString();
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`${option} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** An http(s) base URL for the daemon, without a trailing slash. */
export function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`--url ${value} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid("--url must start with http:// or https://");
  }
  return value.replace(/\/+$/, "");
}
