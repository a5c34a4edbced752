import { z } from "@hono/zod-openapi";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpointOrThrow,
  type IssuedSecret,
  listWebhookEndpoints,
  MAX_DESCRIPTION,
  resolveWebhookScope,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookSettings,
} from "../../core/services/webhooks.ts";
import { WEBHOOK_ENDPOINT_STATUSES } from "../../core/store/schema.ts";
import { WEBHOOK_EVENT_TYPES } from "../../core/webhooks/catalog.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody } from "../schemas.ts";

const WebhookParam = z.object({ webhookId: IdParam("webhookId", "whk") });

const WebhookOrgQuery = z
  .object({
    org: z.string().min(1).max(64).optional().openapi({
      description:
        "Org slug or id. Partners get their own org; operators their own unless they name one.",
    }),
  })
  .strict();

// The service checks the URL against the outbound rule and the types against the catalog;
// the schema bounds sizes and names the catalog for the reference.
const Url = z.string().min(1).max(2048).openapi({ example: "https://hooks.partner.example/in" });
const EventTypes = z
  .array(
    z
      .string()
      .min(1)
      .max(64)
      .openapi({ enum: [...WEBHOOK_EVENT_TYPES] }),
  )
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2);
// The service trims and counts; the schema names the same bound for the reference.
const Description = z.string().max(MAX_DESCRIPTION);
const Reason = z
  .string()
  .min(1)
  .max(500)
  .openapi({
    description:
      "Operator endpoints only, where it is required: such an endpoint receives every " +
      "partner's events (it needs cross_partner.read), and the reason is audited",
    example: "commission engine of the partner program",
  });
const Grace = z
  .string()
  .regex(/^\d+(s|m|h|d)$/)
  .openapi({ example: "24h", description: "How long the old secret keeps signing (max 7d)" });

const WebhookSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    status: z.enum(WEBHOOK_ENDPOINT_STATUSES),
    disabledReason: z.string().nullable().openapi({
      description: "manual, or gone when the receiver answered 410",
    }),
    secret: z.string().openapi({ description: "Always masked: whsec_••••" }),
    previousSecretExpiresAt: z.string().nullable().openapi({
      description: "While set, deliveries are signed with the previous secret too",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");

const IssuedSchema = z
  .object({
    webhook: WebhookSchema,
    signingSecret: z.string().openapi({
      description: "The whsec_… secret, shown only in this answer: store it now",
    }),
  })
  .openapi("WebhookSecretIssued");

/** The one place a signing secret leaves the daemon in clear: the answer that made it. */
const issued = ({ webhook, signingSecret }: IssuedSecret) => ({
  webhook,
  signingSecret: signingSecret.use((text) => text),
});

export function webhookRoutes(api: Api, settings: WebhookSettings): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/webhooks",
      operationId: "listWebhooks",
      summary: "Webhook endpoints of the org in scope, secrets masked",
      tags: ["webhooks"],
      permission: "webhooks.read",
      request: { query: WebhookOrgQuery },
      responses: { 200: json(z.object({ data: z.array(WebhookSchema) }), "The endpoints") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "listWebhooks");
      return c.json(await listWebhookEndpoints(ctx, scope), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/webhooks",
      operationId: "createWebhook",
      summary: "Register a webhook endpoint; its signing secret is answered once",
      description:
        "The URL must be https to a public address (plain http and private addresses only " +
        "where the operator allows them, outboundAllow). At most 20 endpoints per org. " +
        "An endpoint of the operator org receives the events of every partner: it needs " +
        "cross_partner.read and a reason, kept in its audit record.",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: {
        query: WebhookOrgQuery,
        body: jsonBody(
          z
            .object({
              url: Url,
              eventTypes: EventTypes,
              description: Description.optional(),
              reason: Reason.optional(),
            })
            .openapi("CreateWebhook"),
        ),
      },
      responses: { 201: json(IssuedSchema, "Registered") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "createWebhook");

      const result = await createWebhookEndpoint(ctx, settings, scope, c.req.valid("json"));

      return c.json(issued(result), 201);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/webhooks/{webhookId}",
      operationId: "getWebhook",
      summary: "One webhook endpoint of the org in scope, secret masked",
      tags: ["webhooks"],
      permission: "webhooks.read",
      request: { params: WebhookParam, query: WebhookOrgQuery },
      responses: { 200: json(WebhookSchema, "The endpoint") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "getWebhook");
      const { webhookId } = c.req.valid("param");
      return c.json(await getWebhookEndpointOrThrow(ctx, scope, webhookId), 200);
    },
  );

  api.route(
    {
      method: "patch",
      path: "/v1/webhooks/{webhookId}",
      operationId: "updateWebhook",
      summary: "Change the URL, event types, description or status of an endpoint",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: {
        params: WebhookParam,
        query: WebhookOrgQuery,
        body: jsonBody(
          z
            .object({
              url: Url.optional(),
              eventTypes: EventTypes.optional(),
              description: Description.optional(),
              status: z.enum(WEBHOOK_ENDPOINT_STATUSES).optional(),
              reason: Reason.optional(),
            })
            .openapi("UpdateWebhook"),
        ),
      },
      responses: { 200: json(WebhookSchema, "Changed") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "updateWebhook");
      const { webhookId } = c.req.valid("param");

      const webhook = await updateWebhookEndpoint(
        ctx,
        settings,
        scope,
        webhookId,
        c.req.valid("json"),
      );

      return c.json(webhook, 200);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/webhooks/{webhookId}",
      operationId: "deleteWebhook",
      summary: "Remove an endpoint with its deliveries",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: { params: WebhookParam, query: WebhookOrgQuery },
      responses: { 204: { description: "Removed" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "deleteWebhook");
      await deleteWebhookEndpoint(ctx, scope, c.req.valid("param").webhookId);
      return c.body(null, 204);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/webhooks/{webhookId}/rotate-secret",
      operationId: "rotateWebhookSecret",
      summary: "Issue a new signing secret; the old one keeps signing for the grace period",
      description:
        "Default grace 24h, at most 7d, 0s for none. A rotation during a grace window " +
        "replaces the previous secret with the one current until now.",
      tags: ["webhooks"],
      permission: "webhooks.write",
      request: {
        params: WebhookParam,
        query: WebhookOrgQuery,
        body: jsonBody(z.object({ gracePeriod: Grace.optional() }).openapi("RotateWebhookSecret")),
      },
      responses: { 200: json(IssuedSchema, "Rotated") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveWebhookScope(ctx, c.req.valid("query").org, "rotateSecret");
      const { webhookId } = c.req.valid("param");

      const result = await rotateWebhookSecret(
        ctx,
        settings,
        scope,
        webhookId,
        c.req.valid("json").gracePeriod,
      );

      return c.json(issued(result), 200);
    },
  );
}
