import { sql } from "kysely";
import { appendAudit } from "../audit.ts";
import { AppError, type ErrorCode, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { decodeCursor, encodeCursor } from "../paging.ts";
import type { OrgScope } from "../scope.ts";
import type { EventTable, EventType } from "../store/schema.ts";
import { type PartnerData, partnerData } from "../tenancy/partner-data.ts";
import { announce } from "../webhooks/outbox.ts";
import type { ServiceContext } from "./context.ts";
import {
  assertEventFields,
  type CheckedEvent,
  EVENT_ID_PATTERN,
  type EventInput,
  parseTimestamp,
} from "./event-rules.ts";

export type { EventInput } from "./event-rules.ts";

/** An event as the API answers it and its webhooks carry it: its checked fields and ids. */
export interface Event extends Omit<CheckedEvent, "fingerprint"> {
  id: string;
  orgId: string;
  receivedAt: string;
}

/** One pushed item: an event to take in, or one the caller's schema already refused. */
export type IngestItem = { input: EventInput } | { invalid: { eventId: unknown; message: string } };

export type IngestOutcome = "accepted" | "duplicate" | "rejected";

export interface IngestResult {
  index: number;
  /** The partner's id as sent, when it is a well-formed one. */
  eventId: string | null;
  outcome: IngestOutcome;
  /** The new event (accepted), or the one already holding the eventId (duplicate). */
  id: string | null;
  error: { code: ErrorCode; message: string } | null;
}

export interface IngestReport {
  results: IngestResult[];
  summary: Record<IngestOutcome, number>;
}

export interface EventFilter {
  type?: EventType;
  customerId?: string;
  dealId?: string;
  /** Inclusive, ISO 8601 with an offset. */
  since?: string;
  /** Exclusive, ISO 8601 with an offset. */
  until?: string;
  sort: "occurredAt" | "-occurredAt";
  limit: number;
  cursor?: string;
}

/** Rows per statement: far inside SQLite's bound-parameter limit. */
const CHUNK = 400;

export function toEvent(row: EventTable): Event {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.external_id,
    type: row.type,
    occurredAt: row.occurred_at,
    amount: row.amount,
    currency: row.currency,
    customerId: row.customer_id,
    dealId: row.deal_id,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    receivedAt: row.received_at,
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const shownEventId = (value: unknown) =>
  typeof value === "string" && EVENT_ID_PATTERN.test(value) ? value : null;

const rejected = (index: number, eventId: unknown, error: AppError): IngestResult => ({
  index,
  eventId: shownEventId(eventId),
  outcome: "rejected",
  id: null,
  error: { code: error.code, message: error.message },
});

const settled = (index: number, eventId: string, outcome: IngestOutcome, id: string) => ({
  index,
  eventId,
  outcome,
  id,
  error: null,
});

const conflict = () =>
  new AppError("CONFLICT", "an event with this eventId exists with another payload");

interface Candidate {
  index: number;
  event: CheckedEvent;
}

/** The stored id and fingerprint of each eventId the org already holds, among `eventIds`. */
async function storedByEventId(data: PartnerData, eventIds: readonly string[]) {
  const found = new Map<string, { id: string; fingerprint: string }>();
  for (const part of chunks([...new Set(eventIds)])) {
    const rows = await data
      .events()
      .select(["id", "external_id", "fingerprint"])
      .where("external_id", "in", part)
      .execute();
    for (const row of rows) found.set(row.external_id, row);
  }
  return found;
}

/**
 * Why each candidate's references fail, by index: a customer or deal that is
 * not the scoped org's is reported exactly like one that does not exist; a
 * deal given with a customer must be that customer's.
 */
async function referenceErrors(data: PartnerData, candidates: readonly Candidate[]) {
  const customerIds = [...new Set(candidates.flatMap((c) => c.event.customerId ?? []))];
  const dealIds = [...new Set(candidates.flatMap((c) => c.event.dealId ?? []))];
  const customers = new Set<string>();
  for (const part of chunks(customerIds)) {
    const rows = await data.customers().select("id").where("id", "in", part).execute();
    for (const row of rows) customers.add(row.id);
  }
  const deals = new Map<string, string | null>();
  for (const part of chunks(dealIds)) {
    const rows = await data.deals().select(["id", "customer_id"]).where("id", "in", part).execute();
    for (const row of rows) deals.set(row.id, row.customer_id);
  }
  const errors = new Map<number, AppError>();
  for (const { index, event } of candidates) {
    const { customerId, dealId } = event;
    if (customerId !== null && !customers.has(customerId)) {
      errors.set(index, notFound("customer"));
    } else if (dealId !== null && !deals.has(dealId)) {
      errors.set(index, notFound("deal"));
    } else if (customerId !== null && dealId !== null && deals.get(dealId) !== customerId) {
      errors.set(index, new AppError("VALIDATION_FAILED", "dealId is not a deal of customerId"));
    }
  }
  return errors;
}

function toRow(event: CheckedEvent, ctx: ServiceContext, receivedAt: string) {
  return {
    id: newId("event"),
    external_id: event.eventId,
    type: event.type,
    occurred_at: event.occurredAt,
    amount: event.amount,
    currency: event.currency,
    customer_id: event.customerId,
    deal_id: event.dealId,
    attributes: JSON.stringify(event.attributes),
    fingerprint: event.fingerprint,
    received_at: receivedAt,
    received_by: ctx.actor.id,
  };
}

/**
 * Takes in a push of events for the scoped org, item by item: each one is
 * accepted, a duplicate (same eventId, same payload) or rejected with a code.
 * Idempotent under concurrency: rows are inserted unless the org holds the
 * eventId, then read back, and only a row carrying our own new id counts as
 * accepted. Accepted events are announced to webhooks and the push is
 * audited once, in the same transaction; a push that takes nothing in
 * writes nothing.
 */
export async function ingestEvents(
  ctx: ServiceContext,
  scope: OrgScope,
  items: readonly IngestItem[],
  options: { now?: () => Date } = {},
): Promise<IngestReport> {
  const now = options.now?.() ?? new Date();
  const receivedAt = now.toISOString();
  const results: IngestResult[] = [];
  const candidates: Candidate[] = [];
  items.forEach((item, index) => {
    if ("invalid" in item) {
      const error = new AppError("VALIDATION_FAILED", item.invalid.message);
      results[index] = rejected(index, item.invalid.eventId, error);
      return;
    }
    try {
      candidates.push({ index, event: assertEventFields(item.input, now) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results[index] = rejected(index, item.input.eventId, error);
    }
  });

  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);

    // Retries first: an eventId the org holds is a duplicate or a conflict,
    // whatever has become of the customer or deal it names since.
    const existing = await storedByEventId(
      data,
      candidates.map((c) => c.event.eventId),
    );
    const fresh: Candidate[] = [];
    for (const c of candidates) {
      const stored = existing.get(c.event.eventId);
      if (!stored) fresh.push(c);
      else if (stored.fingerprint === c.event.fingerprint) {
        results[c.index] = settled(c.index, c.event.eventId, "duplicate", stored.id);
      } else results[c.index] = rejected(c.index, c.event.eventId, conflict());
    }

    const refused = await referenceErrors(data, fresh);
    const writable = fresh.filter((c) => {
      const error = refused.get(c.index);
      if (error) results[c.index] = rejected(c.index, c.event.eventId, error);
      return !error;
    });
    const rows = writable.map((c) => ({ index: c.index, row: toRow(c.event, ctx, receivedAt) }));
    for (const part of chunks(rows)) await data.insertEvents(part.map((r) => r.row)).execute();

    // Read back: a concurrent push, or an earlier item of this one, may hold the eventId now.
    const stored = await storedByEventId(
      data,
      rows.map((r) => r.row.external_id),
    );
    const accepted: Event[] = [];
    for (const { index, row } of rows) {
      const winner = stored.get(row.external_id);
      if (!winner) throw new AppError("INTERNAL", "an inserted event could not be read back");
      if (winner.id === row.id) {
        results[index] = settled(index, row.external_id, "accepted", row.id);
        accepted.push(toEvent({ ...row, org_id: scope.orgId }));
      } else if (winner.fingerprint === row.fingerprint) {
        results[index] = settled(index, row.external_id, "duplicate", winner.id);
      } else results[index] = rejected(index, row.external_id, conflict());
    }

    await announce(
      tx,
      scope,
      accepted.map((event) => ({ type: `event.${event.type}`, data: { ...event } })),
      receivedAt,
    );
    const summary = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const result of results) summary[result.outcome]++;
    if (summary.accepted > 0) {
      await appendAudit(tx, ctx, {
        action: "events.ingested",
        orgId: scope.orgId,
        targetType: "org",
        targetId: scope.orgId,
        details: { ...summary },
      });
    }
    return { results, summary };
  });
}

/** A bound of the occurredAt filter, in the stored UTC form. */
function boundOrThrow(text: string, field: string): string {
  const at = parseTimestamp(text);
  if (!at) {
    throw new AppError("VALIDATION_FAILED", `${field} must be an ISO 8601 time with an offset`);
  }
  return at.toISOString();
}

/** Events of the scoped org by occurredAt, filtered, in keyset pages. */
export function listEvents(
  ctx: ServiceContext,
  scope: OrgScope,
  filter: EventFilter,
): { data: Event[]; nextCursor: string | null } {
  const direction = filter.sort === "occurredAt" ? "asc" : "desc";
  let query = partnerData(ctx.store.db, scope).events().selectAll();
  if (filter.type) query = query.where("type", "=", filter.type);
  if (filter.customerId) query = query.where("customer_id", "=", filter.customerId);
  if (filter.dealId) query = query.where("deal_id", "=", filter.dealId);
  if (filter.since) query = query.where("occurred_at", ">=", boundOrThrow(filter.since, "since"));
  if (filter.until) query = query.where("occurred_at", "<", boundOrThrow(filter.until, "until"));
  if (filter.cursor !== undefined) {
    const after = decodeCursor(filter.cursor);
    const op = sql.raw(direction === "asc" ? ">" : "<");
    query = query.where(sql<boolean>`(occurred_at, id) ${op} (${after.value}, ${after.id})`);
  }
  const rows = ctx.store.readAll(
    query
      .orderBy("occurred_at", direction)
      .orderBy("id", direction)
      .limit(filter.limit + 1),
  );
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    data: page.map(toEvent),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({ value: last.occurred_at, id: last.id })
        : null,
  };
}

/** An event of the scoped org by its `evt_` id; any other org's is reported missing. */
export function getEventOrThrow(ctx: ServiceContext, scope: OrgScope, id: string): Event {
  const row = ctx.store.readFirst(
    partnerData(ctx.store.db, scope).events().selectAll().where("id", "=", id),
  );
  if (!row) throw notFound("event");
  return toEvent(row);
}
