import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";
import { webhookView } from "./view.ts";

export const webhookShow = defineCommand({
  name: "webhook show",
  summary: "Show one webhook endpoint, secret masked",
  args: ["<webhookId>"],
  options: WEBHOOK_SCOPE_OPTIONS,
  operation: "GET /v1/webhooks/{webhookId}",

  parse: (raw) => ({ webhookId: argument(raw, 0, "webhookId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showWebhook(http, input.org, input.webhookId);
  },

  view: webhookView,
});
