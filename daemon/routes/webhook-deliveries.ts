import { z } from "@hono/zod-openapi";
import {
  getDelivery,
  listDeliveries,
  replayDelivery,
  testWebhook,
} from "../../core/services/webhook-deliveries.ts";
import { resolveWebhookScope as webhookScope } from "../../core/services/webhooks.ts";
import { WEBHOOK_DELIVERY_STATUSES } from "../../core/store/schema.ts";
import type { DeliveryWorker } from "../../core/webhooks/worker.ts";
import { type Api, serviceContext } from "../api.ts";
import { CursorParam, IdParam, json, Limit, OrgQuery } from "../schemas.ts";

const WebhookParam = z.object({ webhookId: IdParam("webhookId", "whk") });
const DeliveryParam = z.object({ deliveryId: IdParam("deliveryId", "whd") });

const DeliverySchema = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    messageId: z.string().openapi({ description: "The webhook-id every attempt carries" }),
    eventType: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

const AttemptSchema = z
  .object({
    id: z.string(),
    attempt: z.number().int(),
    trigger: z.enum(["schedule", "replay", "test"]),
    startedAt: z.string(),
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable(),
    outcome: z.string().openapi({
      description: "succeeded, gone (410), failed, timeout, not_allowed, unresolved, unreachable",
    }),
    error: z.string().nullable().openapi({ description: "A short code: http_503, TIMEOUT…" }),
    responseExcerpt: z
      .string()
      .nullable()
      .openapi({
        description:
          "The first 500 characters of the answer, signing secrets redacted; null for callers " +
          "without webhooks.write",
      }),
  })
  .openapi("WebhookAttempt");

const DeliveryDetail = DeliverySchema.extend({ history: z.array(AttemptSchema) }).openapi(
  "WebhookDeliveryDetail",
);

export function webhookDeliveryRoutes(api: Api, worker: DeliveryWorker): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/webhooks/{webhookId}/deliveries",
      operationId: "listWebhookDeliveries",
      summary: "Deliveries to one webhook endpoint, newest first",
      tags: ["webhooks"],
      permission: "webhooks.read",
      request: {
        params: WebhookParam,
        query: OrgQuery.extend({
          status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
          limit: Limit,
          cursor: CursorParam,
        }).strict(),
      },
      responses: {
        200: json(
          z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }),
          "A page of deliveries",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const { org, ...filter } = c.req.valid("query");
      const scope = await webhookScope(ctx, org, "listWebhookDeliveries");
      const { webhookId } = c.req.valid("param");
      return c.json(await listDeliveries(ctx, scope, webhookId, filter), 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/webhook-deliveries/{deliveryId}",
      operationId: "getWebhookDelivery",
      summary: "One delivery with every attempt made",
      tags: ["webhooks"],
      permission: "webhooks.read",
      request: { params: DeliveryParam, query: OrgQuery.strict() },
      responses: { 200: json(DeliveryDetail, "The delivery and its attempts") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await webhookScope(ctx, c.req.valid("query").org, "getWebhookDelivery");
      return c.json(await getDelivery(ctx, scope, c.req.valid("param").deliveryId), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/webhook-deliveries/{deliveryId}/replay",
      operationId: "replayWebhookDelivery",
      summary: "Send a delivery again, now, with the same webhook-id",
      description:
        "The delivery goes back to pending, due at once, with a fresh retry schedule. " +
        "A delivery being attempted, or one whose endpoint is disabled, answers 409.",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: { params: DeliveryParam, query: OrgQuery.strict() },
      responses: {
        202: json(DeliverySchema, "Queued again"),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Cannot be replayed now"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await webhookScope(ctx, c.req.valid("query").org, "replayWebhookDelivery");
      const { deliveryId } = c.req.valid("param");
      return c.json(await replayDelivery(ctx, scope, deliveryId, worker), 202);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/webhooks/{webhookId}/test",
      operationId: "testWebhook",
      summary: "Send a signed webhook.test message to this endpoint now",
      description:
        "Attempted at once through the same outbound checks as every delivery, recorded, " +
        "never retried. Answers the attempt, whatever the receiver said.",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: { params: WebhookParam, query: OrgQuery.strict() },
      responses: {
        200: json(
          z.object({
            delivery: DeliverySchema,
            attempt: AttemptSchema.optional().openapi({
              description: "Absent only when the endpoint was removed before it was sent",
            }),
          }),
          "The test delivery and its attempt",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await webhookScope(ctx, c.req.valid("query").org, "testWebhook");
      return c.json(await testWebhook(ctx, scope, c.req.valid("param").webhookId, worker), 200);
    },
  );
}
