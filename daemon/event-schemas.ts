import { z } from "@hono/zod-openapi";
import { AppError } from "../core/errors.ts";
import {
  ATTRIBUTE_KEY_PATTERN,
  EVENT_ID_PATTERN,
  EVENT_LIMITS,
  TIMESTAMP_PATTERN,
} from "../core/services/event-rules.ts";
import type { IngestItem } from "../core/services/events.ts";
import { EVENT_TYPES } from "../core/store/schema.ts";
import { formatIssues } from "./errors.ts";

/** Most items one push may carry. */
export const MAX_BATCH = 1000;

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi("EventType");

export const TimestampSchema = z.string().regex(TIMESTAMP_PATTERN).openapi({
  example: "2026-03-01T14:05:09+01:00",
  description: "ISO 8601 with seconds (at most milliseconds) and an offset",
});

const Ref = z.string().min(1).max(64);

export const EventInputSchema = z
  .object({
    eventId: z
      .string()
      .regex(EVENT_ID_PATTERN)
      .openapi({
        description:
          "Your own id for the event, unique in your org: the idempotency key. 1 to 128 " +
          "letters, digits or . _ : -, starting with a letter or digit.",
        example: "order-1042:sale",
      }),
    type: EventTypeSchema,
    occurredAt: TimestampSchema.openapi({
      description:
        "When it happened: ISO 8601 with an offset, stored in UTC; from 2000-01-01 to at " +
        "most 5 minutes ahead of the daemon's clock.",
    }),
    amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional().openapi({
      description: "Integer minor units of currency; required for sale and refund.",
    }),
    currency: z.string().length(3).nullable().optional().openapi({
      description: "ISO 4217 code; required with an amount and only with one.",
      example: "EUR",
    }),
    customerId: Ref.nullable().optional().openapi({ description: "One of your customers" }),
    dealId: Ref.nullable().optional().openapi({
      description: "One of your deals; with customerId, a deal of that customer",
    }),
    attributes: z
      .record(
        z.string().regex(ATTRIBUTE_KEY_PATTERN),
        z.string().max(EVENT_LIMITS.attributeValueLength),
      )
      .refine((a) => Object.keys(a).length <= EVENT_LIMITS.attributes, {
        message: `at most ${EVENT_LIMITS.attributes} keys`,
      })
      .nullable()
      .optional()
      .openapi({
        description:
          "Flat string attributes: at most 20 keys of 1 to 40 letters, digits or _ . - " +
          "(starting with a letter), values of at most 256 characters.",
        maxProperties: EVENT_LIMITS.attributes,
        // JSON Schema 2020-12, which the document is; the metadata type predates it.
        ...({ propertyNames: { pattern: ATTRIBUTE_KEY_PATTERN.source } } as object),
      }),
  })
  .strict();

// Registered as the EventInput component by the route; left unnamed here so a
// batch's items are written out in EventBatch too, and a walk of the document
// meets their id fields at both places.
export const EventBatchSchema = z
  .object({ events: z.array(EventInputSchema).min(1).max(MAX_BATCH) })
  .strict()
  .openapi("EventBatch");

/** The envelope alone: each item is checked on its own, so one bad item fails only itself. */
const BatchEnvelope = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict();

/**
 * The request body as validated by the route: any JSON object. The document
 * still describes it exactly (one EventInput or an EventBatch), and
 * `parseIngestBody` checks it against those same schemas, item by item,
 * because an invalid item of a batch is a result and not a failed request.
 */
export const IngestBody = z.record(z.string(), z.unknown()).openapi({
  oneOf: [{ $ref: "#/components/schemas/EventInput" }, { $ref: "#/components/schemas/EventBatch" }],
});

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: "evt_…" }),
    orgId: z.string(),
    eventId: z.string(),
    type: EventTypeSchema,
    occurredAt: z.string().openapi({ description: "UTC" }),
    amount: z.number().int().nullable().openapi({ description: "Minor units of currency" }),
    currency: z.string().nullable(),
    customerId: z.string().nullable(),
    dealId: z.string().nullable(),
    attributes: z.record(z.string(), z.string()),
    receivedAt: z.string(),
  })
  .openapi("Event");

export const IngestResultSchema = z
  .object({
    index: z.number().int().openapi({ description: "Position of the item in the batch" }),
    eventId: z.string().nullable().openapi({ description: "The item's eventId, if well-formed" }),
    outcome: z.enum(["accepted", "duplicate", "rejected"]),
    id: z.string().nullable().openapi({
      description: "The new event (accepted) or the one already holding the eventId (duplicate)",
    }),
    error: z
      .object({ code: z.string().openapi({ example: "NOT_FOUND" }), message: z.string() })
      .nullable()
      .openapi({ description: "Why a rejected item was refused: VALIDATION_FAILED, ..." }),
  })
  .openapi("EventIngestResult");

export const IngestReportSchema = z
  .object({
    results: z.array(IngestResultSchema),
    summary: z.object({
      accepted: z.number().int(),
      duplicate: z.number().int(),
      rejected: z.number().int(),
    }),
  })
  .openapi("EventIngestReport");

function toItem(raw: unknown): IngestItem {
  const parsed = EventInputSchema.safeParse(raw);
  if (parsed.success) return { input: parsed.data };
  const eventId = raw !== null && typeof raw === "object" ? Reflect.get(raw, "eventId") : null;
  return { invalid: { eventId, message: formatIssues(parsed.error.issues) } };
}

/**
 * Splits a push into its items: a body with `events` is a batch, any other
 * object one event. A malformed envelope, or an invalid single event, is a
 * VALIDATION_FAILED for the whole request.
 */
export function parseIngestBody(body: Record<string, unknown>): {
  batch: boolean;
  items: IngestItem[];
} {
  if (Object.hasOwn(body, "events")) {
    const envelope = BatchEnvelope.safeParse(body);
    if (!envelope.success) {
      throw new AppError("VALIDATION_FAILED", formatIssues(envelope.error.issues));
    }
    return { batch: true, items: envelope.data.events.map(toItem) };
  }
  const single = EventInputSchema.safeParse(body);
  if (!single.success) throw new AppError("VALIDATION_FAILED", formatIssues(single.error.issues));
  return { batch: false, items: [{ input: single.data }] };
}
