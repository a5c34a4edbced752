import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { text } from "../../output/view.ts";
import { argument, flag, orgScope } from "../../parse.ts";
import { promptConfirm } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";

export const webhookRemove = defineCommand({
  name: "webhook remove",
  summary: "Remove a webhook endpoint with its pending and past deliveries",
  args: ["<webhookId>"],
  options: [
    ...WEBHOOK_SCOPE_OPTIONS,
    { flags: "--yes", description: "do not ask for confirmation" },
  ],
  operation: "DELETE /v1/webhooks/{webhookId}",

  parse: (raw) => ({
    webhookId: argument(raw, 0, "webhookId"),
    org: orgScope(raw),
    yes: flag(raw, "yes"),
  }),

  async run(input, context) {
    const { http } = await context.session();

    if (!input.yes) {
      const sure = await promptConfirm(context.runtime.terminal, `Remove ${input.webhookId}?`);
      if (!sure) throw new CliError("CANCELLED", `webhook ${input.webhookId} was not removed`);
    }

    await api.deleteWebhook(http, input.org, input.webhookId);
    return { removed: input.webhookId };
  },

  view: (result) => [text(`Removed webhook ${result.removed}.`)],
});
