/**
 * Shared by the event suites: valid event bodies, a webhook endpoint row
 * written straight through the scoping module (sealed like the service seals
 * it), and reads of what a push left in the store.
 */
import { randomBytes } from "node:crypto";
import { nowIso } from "../../core/clock.ts";
import { newId } from "../../core/ids.ts";
import { encryptSecret } from "../../core/secrets/envelope.ts";
import { partnerData } from "../../core/tenancy/partner-data.ts";
import { signingSecretBinding } from "../../core/webhooks/endpoint-secrets.ts";
import { newSigningSecret } from "../../core/webhooks/signature.ts";
import type { World } from "../harness.ts";

/** An eventId no other test uses. */
export function uniqueEventId(prefix = "e"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

/** A valid event of `type` (a sale carries an amount); override any field. */
export function eventBody(type = "click", overrides: Record<string, unknown> = {}) {
  const money = type === "sale" || type === "refund" ? { amount: 12_500, currency: "EUR" } : {};
  return {
    eventId: uniqueEventId(type),
    type,
    occurredAt: "2026-01-15T10:30:00Z",
    ...money,
    ...overrides,
  };
}

/** An enabled endpoint of `orgId` subscribed to `types`, with a sealed signing secret. */
export async function insertEndpoint(
  world: World,
  orgId: string,
  types: readonly string[],
): Promise<string> {
  const id = newId("webhook");
  const row = { id, org_id: orgId };
  const counter = { record: () => undefined };
  const signing = encryptSecret(
    world.keyring,
    counter,
    signingSecretBinding(row, "signing"),
    newSigningSecret(),
  );
  const now = nowIso();
  const scope = { orgId, orgSlug: "", accountType: "partner" as const, crossOrg: false };
  await partnerData(world.store.db, scope)
    .insertWebhookEndpoint({
      id,
      url: "https://hooks.example.test/partneros",
      description: "test receiver",
      event_types: JSON.stringify([...types].sort()),
      status: "enabled",
      disabled_reason: null,
      secrets: JSON.stringify({ signing }),
      previous_expires_at: null,
      key_version: world.keyring.primary,
      sealed_fields: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** Every event row of the org, by eventId. */
export function eventRows(world: World, orgId: string) {
  return world.store.db
    .selectFrom("events")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("external_id")
    .orderBy("id")
    .execute();
}

/** The org's outbox: messages and their deliveries. */
export async function outbox(world: World, orgId: string) {
  const db = world.store.db;
  const [messages, deliveries] = await Promise.all([
    db.selectFrom("webhook_messages").selectAll().where("org_id", "=", orgId).execute(),
    db.selectFrom("webhook_deliveries").selectAll().where("org_id", "=", orgId).execute(),
  ]);
  return { messages, deliveries };
}

/** The org's audit records of one action. */
export function auditOf(world: World, orgId: string, action: string) {
  return world.store.db
    .selectFrom("audit_log")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("action", "=", action)
    .orderBy("seq")
    .execute();
}
