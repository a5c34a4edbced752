import type { WebhookAttempt, WebhookDelivery } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

export function deliveriesTable(deliveries: readonly WebhookDelivery[]) {
  const rows = deliveries.map((d) => [
    d.id,
    d.eventType,
    d.status,
    d.attempts,
    d.lastStatusCode ?? d.lastError,
    d.nextAttemptAt,
    d.createdAt,
  ]);
  return table(["id", "event", "status", "attempts", "last", "next attempt", "created"], rows);
}

export function deliveryFields(delivery: WebhookDelivery): View[number] {
  return fields([
    ["id", delivery.id],
    ["webhook", delivery.webhookId],
    ["webhook-id", delivery.messageId],
    ["event", delivery.eventType],
    ["status", delivery.status],
    ["attempts", delivery.attempts],
    ["next attempt", delivery.nextAttemptAt],
    ["last status", delivery.lastStatusCode],
    ["last error", delivery.lastError],
    ["created", delivery.createdAt],
    ["completed", delivery.completedAt],
  ]);
}

/** Attempts in order; the excerpt is the daemon's, already cleaned of secrets. */
export function attemptsTable(attempts: readonly WebhookAttempt[]) {
  const rows = attempts.map((a) => [
    a.attempt,
    a.trigger,
    a.startedAt,
    a.durationMs,
    a.outcome,
    a.statusCode ?? a.error,
    a.responseExcerpt,
  ]);
  return table(["#", "trigger", "started", "ms", "outcome", "status", "response"], rows);
}
