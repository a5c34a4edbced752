import { AppError } from "../../../core/errors.ts";
import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from "../../../core/store/schema.ts";
import * as api from "../../api/operations.ts";
import { text, type View } from "../../output/view.ts";
import { argument, optionalString, orgScope, positiveInteger } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { attemptsTable, deliveriesTable, deliveryFields } from "./delivery-view.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";

function deliveryStatus(value: string | undefined): WebhookDeliveryStatus | undefined {
  if (value === undefined) return undefined;
  if (!(WEBHOOK_DELIVERY_STATUSES as readonly string[]).includes(value)) {
    throw new AppError(
      "VALIDATION_FAILED",
      `--status must be one of ${WEBHOOK_DELIVERY_STATUSES.join(", ")}`,
    );
  }
  return value as WebhookDeliveryStatus;
}

export const webhookDeliveries = defineCommand({
  name: "webhook deliveries",
  summary: "List the deliveries to one webhook endpoint, newest first",
  args: ["<webhookId>"],
  options: [
    ...WEBHOOK_SCOPE_OPTIONS,
    {
      flags: "--status <status>",
      description: `only ${WEBHOOK_DELIVERY_STATUSES.join(", ")}`,
    },
    { flags: "--limit <n>", description: "at most this many deliveries (default 50)" },
    { flags: "--cursor <cursor>", description: "continue from a previous page's nextCursor" },
  ],
  operation: "GET /v1/webhooks/{webhookId}/deliveries",

  parse: (raw) => {
    const limit = optionalString(raw, "limit");
    return {
      webhookId: argument(raw, 0, "webhookId"),
      org: orgScope(raw),
      status: deliveryStatus(optionalString(raw, "status")),
      limit: limit === undefined ? undefined : positiveInteger(limit, "--limit"),
      cursor: optionalString(raw, "cursor"),
    };
  },

  async run({ webhookId, org, ...query }, context) {
    const { http } = await context.session();
    return api.listWebhookDeliveries(http, org, webhookId, query);
  },

  view: (page) => {
    const view: View = [deliveriesTable(page.data)];
    return page.nextCursor ? [...view, text(`More deliveries: --cursor ${page.nextCursor}`)] : view;
  },
});

export const webhookDelivery = defineCommand({
  name: "webhook delivery",
  summary: "Show one delivery and every attempt made, with what the receiver answered",
  args: ["<deliveryId>"],
  options: WEBHOOK_SCOPE_OPTIONS,
  operation: "GET /v1/webhook-deliveries/{deliveryId}",

  parse: (raw) => ({ deliveryId: argument(raw, 0, "deliveryId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showWebhookDelivery(http, input.org, input.deliveryId);
  },

  view: (delivery) => [deliveryFields(delivery), attemptsTable(delivery.history)],
});
