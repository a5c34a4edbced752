import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { attemptsTable, deliveryFields } from "./delivery-view.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";

export const webhookTest = defineCommand({
  name: "webhook test",
  summary: "Send a signed webhook.test message now (fails unless the receiver answers 2xx)",
  args: ["<webhookId>"],
  options: WEBHOOK_SCOPE_OPTIONS,
  operation: "POST /v1/webhooks/{webhookId}/test",

  parse: (raw) => ({ webhookId: argument(raw, 0, "webhookId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.testWebhook(http, input.org, input.webhookId);
  },

  view: (result) => [
    deliveryFields(result.delivery),
    attemptsTable(result.attempt ? [result.attempt] : []),
  ],

  // The attempt is printed either way; a script reads the failure from the exit status.
  failure: (result) =>
    result.attempt?.outcome === "succeeded"
      ? undefined
      : new CliError(
          "WEBHOOK_TEST_FAILED",
          `webhook ${result.delivery.webhookId} did not accept the test: ` +
            `${result.attempt?.outcome ?? "not sent"} ${result.attempt?.error ?? ""}`.trim(),
        ),
});
