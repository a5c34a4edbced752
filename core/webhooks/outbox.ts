import { newId } from "../ids.ts";
import type { OrgScope } from "../scope.ts";
import type { Tx } from "../store/store.ts";
import { partnerData, programSubscriptions } from "../tenancy/partner-data.ts";

export interface Announcement {
  /** A subscribable type such as `event.sale`. */
  type: string;
  /** The `data` of the Standard Webhooks body: public fields of what happened. */
  data: Record<string, unknown>;
}

/** The exact body every attempt of a message sends and signs. */
export function messagePayload(type: string, now: string, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: now, data });
}

/**
 * Writes outbox messages for what the caller is committing in `tx`, with one
 * pending delivery per enabled endpoint subscribed to each type: the org's
 * own endpoints, and for a partner's announcements also the operator org's
 * (a program-wide subscription, registered with a reason and audited).
 * Called inside the transaction of the change it announces, so a message
 * exists exactly when the change does. Nothing is written when no endpoint
 * listens. Returns the number of deliveries queued.
 */
export async function announce(
  tx: Tx,
  scope: OrgScope,
  announcements: readonly Announcement[],
  now: string,
): Promise<number> {
  if (announcements.length === 0) return 0;
  const own = await partnerData(tx, scope)
    .webhookEndpoints()
    .select(["id", "event_types"])
    .where("status", "=", "enabled")
    .execute();
  let queued = await fanOut(tx, scope, own, announcements, now);
  if (scope.accountType !== "partner") return queued;

  const program = await programSubscriptions.enabled(tx).execute();
  for (const orgId of new Set(program.map((e) => e.org_id))) {
    const operator: OrgScope = { orgId, orgSlug: orgId, accountType: "operator", crossOrg: false };
    const endpoints = program.filter((e) => e.org_id === orgId);
    queued += await fanOut(tx, operator, endpoints, announcements, now);
  }
  return queued;
}

/** Messages in `scope`'s org for the announcements its `endpoints` listen to, and deliveries. */
async function fanOut(
  tx: Tx,
  scope: OrgScope,
  endpoints: readonly { id: string; event_types: string }[],
  announcements: readonly Announcement[],
  now: string,
): Promise<number> {
  if (endpoints.length === 0) return 0;
  const data = partnerData(tx, scope);
  const listening = endpoints.map((e) => ({
    id: e.id,
    types: new Set(JSON.parse(e.event_types) as string[]),
  }));

  const messages: { id: string; event_type: string; payload: string; created_at: string }[] = [];
  const deliveries: {
    id: string;
    message_id: string;
    endpoint_id: string;
    status: "pending";
    attempts: number;
    schedule_start: number;
    next_attempt_at: string;
    lease_until: null;
    last_status_code: null;
    last_error: null;
    created_at: string;
    updated_at: string;
    completed_at: null;
  }[] = [];
  for (const { type, data: body } of announcements) {
    const targets = listening.filter((e) => e.types.has(type));
    if (targets.length === 0) continue;
    const id = newId("message");
    messages.push({
      id,
      event_type: type,
      payload: messagePayload(type, now, body),
      created_at: now,
    });
    for (const target of targets) {
      deliveries.push({
        id: newId("delivery"),
        message_id: id,
        endpoint_id: target.id,
        status: "pending",
        attempts: 0,
        schedule_start: 0,
        next_attempt_at: now,
        lease_until: null,
        last_status_code: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      });
    }
  }
  // Chunked so a batch of 1,000 stays well inside SQLite's bound-parameter limit.
  for (let i = 0; i < messages.length; i += 500) {
    await data.insertWebhookMessages(messages.slice(i, i + 500)).execute();
  }
  for (let i = 0; i < deliveries.length; i += 500) {
    await data.insertWebhookDeliveries(deliveries.slice(i, i + 500)).execute();
  }
  return deliveries.length;
}
