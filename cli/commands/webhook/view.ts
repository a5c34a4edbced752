import type { WebhookEndpoint } from "../../api/types.ts";
import { fields, table, text, type View } from "../../output/view.ts";

/** One endpoint; its secret is always the mask the daemon sends. */
export function webhookView(endpoint: WebhookEndpoint): View {
  return [
    fields([
      ["id", endpoint.id],
      ["org", endpoint.orgId],
      ["url", endpoint.url],
      ["events", endpoint.eventTypes],
      ["description", endpoint.description || null],
      ["status", endpoint.status],
      ["disabled because", endpoint.disabledReason],
      ["secret", endpoint.secret],
      ["previous secret until", endpoint.previousSecretExpiresAt],
      ["created", endpoint.createdAt],
      ["updated", endpoint.updatedAt],
    ]),
  ];
}

export function webhooksView(endpoints: readonly WebhookEndpoint[]): View {
  const rows = endpoints.map((e) => [e.id, e.url, e.eventTypes.join(","), e.status, e.updatedAt]);
  return [table(["id", "url", "events", "status", "updated"], rows)];
}

/**
 * The signing secret on a line of its own, after the warning that it is not
 * shown again: the daemon keeps it sealed and answers only masks from now on.
 */
export function signingSecretView(secret: string): View {
  return [
    text("Signing secret, shown this once; store it now (receivers verify with it):"),
    text(secret),
  ];
}
