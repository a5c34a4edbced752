import { z } from "@hono/zod-openapi";
import { AppError } from "../../core/errors.ts";
import { getEventOrThrow, ingestEvents, listEvents } from "../../core/services/events.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import {
  EventBatchSchema,
  EventInputSchema,
  EventSchema,
  EventTypeSchema,
  IngestBody,
  IngestReportSchema,
  parseIngestBody,
  TimestampSchema,
} from "../event-schemas.ts";
import { CursorParam, IdParam, json, jsonBody, Limit, OrgQuery } from "../schemas.ts";

const EventParam = z.object({ eventId: IdParam("eventId", "evt") });
const Ref = z.string().min(1).max(64);

/** `deliveries` is woken after a push that took events in, rather than at its next poll. */
export function eventRoutes(api: Api, deliveries: { wake(): void }): void {
  const { store } = api.deps;
  api.app.openAPIRegistry.register("EventInput", EventInputSchema);
  api.app.openAPIRegistry.register("EventBatch", EventBatchSchema);

  api.route(
    {
      method: "post",
      path: "/v1/events",
      operationId: "ingestEvents",
      summary: "Push one event, or a batch of up to 1000, into the partner org in scope",
      description:
        "The body is one EventInput, or an EventBatch. A batch answers 200 with one result " +
        "per item (accepted, duplicate or rejected with a code); a malformed batch is a 400 " +
        "and writes nothing. A single event answers 201 with the new event, 200 with the " +
        "event already holding its eventId and payload, 409 CONFLICT when that event has " +
        "another payload, 400 or 404 when it is refused.",
      tags: ["events"],
      permission: "events.write",
      request: { query: OrgQuery.strict(), body: jsonBody(IngestBody) },
      responses: {
        200: json(z.union([EventSchema, IngestReportSchema]), "A duplicate, or a batch's report"),
        201: json(EventSchema, "Accepted"),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Another payload"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const push = parseIngestBody(c.req.valid("json"));
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "ingestEvents");

      const report = await ingestEvents(ctx, scope, push.items);
      if (report.summary.accepted > 0) deliveries.wake();

      if (push.batch) return c.json(report, 200);
      const [result] = report.results;
      if (!result?.id) {
        const error = result?.error ?? { code: "INTERNAL" as const, message: "no result" };
        throw new AppError(error.code, error.message);
      }
      const event = getEventOrThrow(ctx, scope, result.id);
      return result.outcome === "accepted" ? c.json(event, 201) : c.json(event, 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/events",
      operationId: "listEvents",
      summary: "Events of the partner org in scope by occurredAt, filtered and paged",
      tags: ["events"],
      permission: "events.read",
      request: {
        query: OrgQuery.extend({
          type: EventTypeSchema.optional(),
          customerId: Ref.optional(),
          dealId: Ref.optional(),
          since: TimestampSchema.optional().openapi({ description: "occurredAt at or after" }),
          until: TimestampSchema.optional().openapi({ description: "occurredAt before" }),
          sort: z.enum(["occurredAt", "-occurredAt"]).default("-occurredAt"),
          limit: Limit,
          cursor: CursorParam,
        }).strict(),
      },
      responses: {
        200: json(
          z.object({ data: z.array(EventSchema), nextCursor: z.string().nullable() }),
          "A page of events",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const { org, ...filter } = c.req.valid("query");
      const scope = await resolvePartnerScope(ctx, org, "listEvents");
      return c.json(listEvents(ctx, scope, filter), 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/events/{eventId}",
      operationId: "getEvent",
      summary: "One event of the partner org in scope, by the evt_ id PartnerOS gave it",
      tags: ["events"],
      permission: "events.read",
      request: { params: EventParam, query: OrgQuery.strict() },
      responses: { 200: json(EventSchema, "The event") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getEvent");
      return c.json(getEventOrThrow(ctx, scope, c.req.valid("param").eventId), 200);
    },
  );
}
