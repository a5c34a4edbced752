import { EVENT_TYPES } from "../store/schema.ts";

/**
 * What an endpoint can subscribe to: one type per kind of ingested event.
 * `webhook.test` is sent by a test-send only and cannot be subscribed to.
 */
export const WEBHOOK_EVENT_TYPES = EVENT_TYPES.map((type) => `event.${type}` as const);
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const TEST_EVENT_TYPE = "webhook.test";

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
