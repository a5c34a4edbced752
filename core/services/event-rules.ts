import { createHash } from "node:crypto";
import { AppError } from "../errors.ts";
import { assertCurrency } from "../money.ts";
import { EVENT_TYPES, type EventType } from "../store/schema.ts";
import { isShowable } from "../text.ts";

/** One event as a partner pushes it to `POST /v1/events`. */
export interface EventInput {
  /** The partner's own id for the event: its idempotency key. */
  eventId: string;
  type: EventType;
  /** ISO 8601 with an offset; stored in UTC. */
  occurredAt: string;
  amount?: number | null;
  currency?: string | null;
  customerId?: string | null;
  dealId?: string | null;
  attributes?: Record<string, string> | null;
}

/** An event whose own fields passed: normalized, with the fingerprint of its payload. */
export interface CheckedEvent {
  eventId: string;
  type: EventType;
  occurredAt: string;
  amount: number | null;
  currency: string | null;
  customerId: string | null;
  dealId: string | null;
  attributes: Record<string, string>;
  fingerprint: string;
}

export const EVENT_LIMITS = {
  attributes: 20,
  attributeValueLength: 256,
  /** How far ahead of the daemon's clock an event may be dated: clock skew, not the future. */
  futureSkewMs: 5 * 60_000,
  earliest: "2000-01-01T00:00:00.000Z",
} as const;

/** 1 to 128 characters, starting with a letter or digit; no spaces, slashes or quotes. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** 1 to 40 characters, starting with a letter. */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;
/** Seconds required, at most milliseconds, and an explicit offset (`Z` or `±hh:mm`). */
export const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Types that move money: they carry a positive amount and its currency. */
export const MONEY_TYPES: ReadonlySet<EventType> = new Set(["sale", "refund"]);

/**
 * The instant an ISO 8601 time with an offset names, or undefined when the
 * text is malformed or names no real time (February 30, 24:00, offset 25:00).
 */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP_PATTERN.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, ...number[]];
  const ms = Number((m[7] ?? "").padEnd(3, "0"));
  const wall = new Date(Date.UTC(y, (mo ?? 1) - 1, d, h, mi, s, ms));
  const fields = [
    wall.getUTCFullYear(),
    wall.getUTCMonth() + 1,
    wall.getUTCDate(),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
  ];
  if (fields.some((value, i) => value !== [y, mo, d, h, mi, s][i])) return undefined;
  if (m[8] === "Z") return wall;
  const [hours, minutes] = [Number(m[10]), Number(m[11])];
  if (hours > 18 || minutes > 59) return undefined;
  const offsetMs = (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  return new Date(wall.getTime() - offsetMs);
}

const fail = (message: string) => new AppError("VALIDATION_FAILED", message);

function checkAttributes(attributes: EventInput["attributes"]): Record<string, string> {
  if (attributes == null) return {};
  if (typeof attributes !== "object" || Array.isArray(attributes)) {
    throw fail("attributes must be an object of strings");
  }
  const entries = Object.entries(attributes);
  if (entries.length > EVENT_LIMITS.attributes) {
    throw fail(`attributes holds at most ${EVENT_LIMITS.attributes} keys`);
  }
  for (const [key, value] of entries) {
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) throw fail("attributes has a key that is not a name");
    if (typeof value !== "string" || value.length > EVENT_LIMITS.attributeValueLength) {
      throw fail(
        `attributes values are strings of at most ${EVENT_LIMITS.attributeValueLength} ` +
          "UTF-16 code units",
      );
    }
    // Text a terminal or a receiver would read differently from what it holds.
    if (!isShowable(value)) {
      throw fail(
        "attributes values hold no control, format or separator characters, " +
          "or unpaired surrogates",
      );
    }
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkMoney(input: EventInput): { amount: number | null; currency: string | null } {
  const amount = input.amount ?? null;
  const currency = input.currency ?? null;
  if (amount !== null && (!Number.isSafeInteger(amount) || amount <= 0)) {
    throw fail("amount must be a positive integer in minor units");
  }
  if (amount === null && MONEY_TYPES.has(input.type)) throw fail(`a ${input.type} needs an amount`);
  if (amount === null && currency !== null) throw fail("currency is given only with an amount");
  if (amount !== null && currency === null) throw fail("an amount needs a currency");
  return { amount, currency: currency === null ? null : assertCurrency(currency) };
}

function checkReference(value: string | null | undefined, field: string): string | null {
  if (value == null) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > 64) {
    throw fail(`${field} must be an id`);
  }
  return value;
}

/**
 * Checks an event's own fields at `now` and normalizes them: the time in
 * UTC, the currency in upper case, attributes sorted. References are checked
 * against the scope by the service. Throws VALIDATION_FAILED naming the field.
 */
export function assertEventFields(input: EventInput, now: Date): CheckedEvent {
  if (typeof input.eventId !== "string" || !EVENT_ID_PATTERN.test(input.eventId)) {
    throw fail(
      "eventId must be 1 to 128 letters, digits or . _ : -, starting with a letter or digit",
    );
  }
  if (!(EVENT_TYPES as readonly string[]).includes(input.type)) {
    throw fail(`type must be one of ${EVENT_TYPES.join(", ")}`);
  }
  const at = typeof input.occurredAt === "string" ? parseTimestamp(input.occurredAt) : undefined;
  if (!at) throw fail("occurredAt must be an ISO 8601 time with seconds and an offset");
  if (at.toISOString() < EVENT_LIMITS.earliest) throw fail("occurredAt is before 2000-01-01");
  if (at.getTime() > now.getTime() + EVENT_LIMITS.futureSkewMs) {
    throw fail("occurredAt is more than 5 minutes ahead of the daemon's clock");
  }
  const checked = {
    eventId: input.eventId,
    type: input.type,
    occurredAt: at.toISOString(),
    ...checkMoney(input),
    customerId: checkReference(input.customerId, "customerId"),
    dealId: checkReference(input.dealId, "dealId"),
    attributes: checkAttributes(input.attributes),
  };
  return { ...checked, fingerprint: fingerprintOf(checked) };
}

/**
 * SHA-256 of the payload in one canonical form, so the same event sent again
 * in another spelling (another offset, lower-case currency, keys reordered)
 * is a duplicate, and any real difference is a conflict.
 */
export function fingerprintOf(event: Omit<CheckedEvent, "fingerprint" | "eventId">): string {
  const canonical = JSON.stringify([
    "event/v1",
    event.type,
    event.occurredAt,
    event.amount,
    event.currency,
    event.customerId,
    event.dealId,
    Object.entries(event.attributes),
  ]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
