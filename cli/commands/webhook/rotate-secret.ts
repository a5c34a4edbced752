import * as api from "../../api/operations.ts";
import type { RotateWebhookSecretBody } from "../../api/types.ts";
import { text } from "../../output/view.ts";
import { argument, duration, optionalString, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";
import { signingSecretView } from "./view.ts";

export const webhookRotateSecret = defineCommand({
  name: "webhook rotate-secret",
  summary: "Issue a new signing secret; the old one keeps signing for the grace period",
  args: ["<webhookId>"],
  options: [
    ...WEBHOOK_SCOPE_OPTIONS,
    {
      flags: "--grace <duration>",
      description: "how long deliveries carry the old signature too (default 24h, max 7d, 0s)",
    },
  ],
  operation: "POST /v1/webhooks/{webhookId}/rotate-secret",

  parse: (raw) => {
    const body: RotateWebhookSecretBody = {};
    const grace = optionalString(raw, "grace");
    if (grace !== undefined) body.gracePeriod = duration(grace, "--grace");
    return { webhookId: argument(raw, 0, "webhookId"), org: orgScope(raw), body };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.rotateWebhookSecret(http, input.org, input.webhookId, input.body);
  },

  view: (result) => [
    text(`Rotated the signing secret of webhook ${result.webhook.id}.`),
    text(graceNote(result.webhook.previousSecretExpiresAt)),
    ...signingSecretView(result.signingSecret),
  ],
});

function graceNote(until: string | null): string {
  return until === null
    ? "The old secret no longer signs."
    : `Deliveries are signed with the old secret too until ${until}.`;
}
