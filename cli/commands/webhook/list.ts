import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";
import { webhooksView } from "./view.ts";

export const webhookList = defineCommand({
  name: "webhook list",
  summary: "List the webhook endpoints of an org, secrets masked",
  options: WEBHOOK_SCOPE_OPTIONS,
  operation: "GET /v1/webhooks",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return (await api.listWebhooks(http, input.org)).data;
  },

  view: webhooksView,
});
