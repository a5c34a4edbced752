import { appendAudit } from "../audit.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { type Cursor, decodeCursor, encodeCursor } from "../paging.ts";
import { findOrgByRef, type OrgScope } from "../scope.ts";
import type {
  WebhookAttemptTable,
  WebhookDeliveryStatus,
  WebhookDeliveryTable,
} from "../store/schema.ts";
import { partnerData } from "../tenancy/partner-data.ts";
import { TEST_EVENT_TYPE } from "../webhooks/catalog.ts";
import { messagePayload } from "../webhooks/outbox.ts";
import type { DeliveryWorker } from "../webhooks/worker.ts";
import type { ServiceContext } from "./context.ts";

export interface DeliveryView {
  id: string;
  webhookId: string;
  messageId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface AttemptView {
  id: string;
  attempt: number;
  trigger: WebhookAttemptTable["trigger"];
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
  error: string | null;
  responseExcerpt: string | null;
}

const deliveryNotFound = () => notFound("delivery");

async function endpointOrThrow(ctx: ServiceContext, scope: OrgScope, webhookId: string) {
  const endpoint = await partnerData(ctx.store.db, scope)
    .webhookEndpoints()
    .select(["id", "status"])
    .where("id", "=", webhookId)
    .executeTakeFirst();
  if (!endpoint) throw notFound("webhook endpoint");
  return endpoint;
}

async function views(
  ctx: ServiceContext,
  scope: OrgScope,
  rows: readonly WebhookDeliveryTable[],
): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const messages = await partnerData(ctx.store.db, scope)
    .webhookMessages()
    .select(["id", "event_type"])
    .where("id", "in", [...new Set(rows.map((r) => r.message_id))])
    .execute();
  const typeOf = new Map(messages.map((m) => [m.id, m.event_type]));
  return rows.map((row) => ({
    id: row.id,
    webhookId: row.endpoint_id,
    messageId: row.message_id,
    eventType: typeOf.get(row.message_id) ?? "",
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  }));
}

/**
 * What a receiver answered is its own text, chosen by whoever runs it; a
 * receiver may write a secret in forms no redaction knows. It is shown only
 * to those who may change the endpoint (and so rotate its secret): holders of
 * `webhooks.write`. Readers see the status and outcome without it.
 */
const mayReadExcerpts = (ctx: ServiceContext) => ctx.actor.permissions.has("webhooks.write");

const attemptView = (row: WebhookAttemptTable, excerpts: boolean): AttemptView => ({
  id: row.id,
  attempt: row.attempt,
  trigger: row.trigger,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  statusCode: row.status_code,
  outcome: row.outcome,
  error: row.error,
  responseExcerpt: excerpts ? row.response_excerpt : null,
});

/** An endpoint's deliveries, newest first, keyset-paged on (created_at, id). */
export async function listDeliveries(
  ctx: ServiceContext,
  scope: OrgScope,
  webhookId: string,
  filter: { status?: WebhookDeliveryStatus; limit: number; cursor?: string },
): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  await endpointOrThrow(ctx, scope, webhookId);
  let query = partnerData(ctx.store.db, scope)
    .webhookDeliveries()
    .selectAll()
    .where("endpoint_id", "=", webhookId);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.cursor !== undefined) {
    const after: Cursor = decodeCursor(filter.cursor);
    const at = String(after.value);
    query = query.where((eb) =>
      eb.or([
        eb("created_at", "<", at),
        eb.and([eb("created_at", "=", at), eb("id", "<", after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    data: await views(ctx, scope, page),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({ value: last.created_at, id: last.id })
        : null,
  };
}

/** One delivery with every attempt made, in order. */
export async function getDelivery(
  ctx: ServiceContext,
  scope: OrgScope,
  deliveryId: string,
): Promise<DeliveryView & { history: AttemptView[] }> {
  const data = partnerData(ctx.store.db, scope);
  const row = await data
    .webhookDeliveries()
    .selectAll()
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (!row) throw deliveryNotFound();
  const attempts = await data
    .webhookAttempts()
    .selectAll()
    .where("delivery_id", "=", row.id)
    .orderBy("attempt")
    .execute();
  const [view] = await views(ctx, scope, [row]);
  const excerpts = mayReadExcerpts(ctx);
  return {
    ...(view as DeliveryView),
    history: attempts.map((attempt) => attemptView(attempt, excerpts)),
  };
}

/**
 * Sends a delivery again: pending and due now, with a fresh retry schedule and
 * the same message, so the receiver sees the same `webhook-id`.
 */
export async function replayDelivery(
  ctx: ServiceContext,
  scope: OrgScope,
  deliveryId: string,
  worker: DeliveryWorker,
): Promise<DeliveryView> {
  const now = worker.now.toISOString();
  const row = await ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const found = await data
      .webhookDeliveries()
      .selectAll()
      .where("id", "=", deliveryId)
      .executeTakeFirst();
    if (!found) throw deliveryNotFound();
    if (found.status === "sending") {
      throw new AppError("CONFLICT", "the delivery is being attempted right now");
    }
    const endpoint = await data
      .webhookEndpoints()
      .select("status")
      .where("id", "=", found.endpoint_id)
      .executeTakeFirst();
    if (endpoint?.status !== "enabled") {
      throw new AppError("CONFLICT", "the webhook is disabled; enable it before replaying");
    }
    const message = await data
      .webhookMessages()
      .select("event_type")
      .where("id", "=", found.message_id)
      .executeTakeFirst();
    if (message?.event_type === TEST_EVENT_TYPE) {
      throw new AppError("CONFLICT", "a test-send is not replayed; send another test instead");
    }
    const replayed = {
      status: "pending" as const,
      next_attempt_at: now,
      schedule_start: found.attempts,
      completed_at: null,
      updated_at: now,
    };
    await data.updateWebhookDeliveries().set(replayed).where("id", "=", found.id).execute();
    await appendAudit(tx, ctx, {
      action: "webhook.replayed",
      orgId: scope.orgId,
      targetType: "webhook_delivery",
      targetId: found.id,
      details: { webhookId: found.endpoint_id, messageId: found.message_id },
    });
    return { ...found, ...replayed };
  });
  worker.wake();
  const [view] = await views(ctx, scope, [row]);
  return view as DeliveryView;
}

/**
 * A test-send: a `webhook.test` message to this endpoint only, attempted now
 * through the same path as every delivery and recorded like one, never retried.
 * A disabled endpoint can be tested too, to check a receiver before enabling it.
 */
export async function testWebhook(
  ctx: ServiceContext,
  scope: OrgScope,
  webhookId: string,
  worker: DeliveryWorker,
): Promise<{ delivery: DeliveryView; attempt?: AttemptView }> {
  await endpointOrThrow(ctx, scope, webhookId);
  const org = await findOrgByRef(ctx.store.db, scope.orgId);
  if (org?.status !== "active") throw new AppError("ORG_SUSPENDED", "this org is suspended");
  // Test-sends share the worker's slots, so a burst of them cannot open more connections,
  // and one org's burst cannot take every slot from the others.
  if (worker.busyFor(scope.orgId)) {
    throw new AppError(
      "RATE_LIMITED",
      "deliveries are at their concurrency limit; test again soon",
    );
  }
  const now = worker.now.toISOString();
  const lease = worker.leaseFromNow();
  const delivery: Omit<WebhookDeliveryTable, "org_id"> = {
    id: newId("delivery"),
    message_id: newId("message"),
    endpoint_id: webhookId,
    status: "sending",
    attempts: 0,
    schedule_start: 0,
    next_attempt_at: null,
    lease_until: lease,
    last_status_code: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
  await ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const payload = messagePayload(TEST_EVENT_TYPE, now, { webhookId, test: true });
    await data
      .insertWebhookMessages([
        { id: delivery.message_id, event_type: TEST_EVENT_TYPE, payload, created_at: now },
      ])
      .execute();
    await data.insertWebhookDeliveries([delivery]).execute();
  });
  const result = await worker.attempt({ ...delivery, org_id: scope.orgId, lease }, "test");
  await ctx.store.transaction((tx) =>
    appendAudit(tx, ctx, {
      action: "webhook.tested",
      orgId: scope.orgId,
      targetType: "webhook",
      targetId: webhookId,
      details: {
        deliveryId: delivery.id,
        outcome: result?.outcome ?? "cancelled",
        statusCode: result?.statusCode ?? null,
      },
    }),
  );
  const found = await getDelivery(ctx, scope, delivery.id);
  const { history, ...view } = found;
  const attempt = history.at(-1);
  return attempt ? { delivery: view, attempt } : { delivery: view };
}
