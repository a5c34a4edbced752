import * as api from "../../api/operations.ts";
import type { CreateWebhookBody } from "../../api/types.ts";
import { text } from "../../output/view.ts";
import { optionalString, orgScope, requiredString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { eventTypes, WEBHOOK_SCOPE_OPTIONS } from "./options.ts";
import { signingSecretView, webhookView } from "./view.ts";

export const webhookAdd = defineCommand({
  name: "webhook add",
  summary: "Register a webhook endpoint; prints its signing secret once",
  options: [
    ...WEBHOOK_SCOPE_OPTIONS,
    { flags: "--url <url>", description: "where deliveries go (https)", required: true },
    {
      flags: "--events <list>",
      description: "comma-separated event types, e.g. event.sale,event.refund",
      required: true,
    },
    { flags: "--description <text>", description: "what the endpoint is for" },
    {
      flags: "--reason <text>",
      description: "operator endpoints: why they receive every partner's events (audited)",
    },
  ],
  operation: "POST /v1/webhooks",

  parse: (raw) => {
    const body: CreateWebhookBody = {
      url: requiredString(raw, "url"),
      eventTypes: eventTypes(requiredString(raw, "events")),
    };
    const description = optionalString(raw, "description");
    if (description !== undefined) body.description = description;
    const reason = optionalString(raw, "reason");
    if (reason !== undefined) body.reason = reason;
    return { org: orgScope(raw), body };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.createWebhook(http, input.org, input.body);
  },

  view: (result) => [
    text(`Registered webhook ${result.webhook.id}.`),
    ...webhookView(result.webhook),
    ...signingSecretView(result.signingSecret),
  ],
});
