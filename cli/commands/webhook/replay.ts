import * as api from "../../api/operations.ts";
import { text } from "../../output/view.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { deliveryFields } from "./delivery-view.ts";
import { WEBHOOK_SCOPE_OPTIONS } from "./options.ts";

export const webhookReplay = defineCommand({
  name: "webhook replay",
  summary: "Send a delivery again now, with the same webhook-id and a fresh retry schedule",
  args: ["<deliveryId>"],
  options: WEBHOOK_SCOPE_OPTIONS,
  operation: "POST /v1/webhook-deliveries/{deliveryId}/replay",

  parse: (raw) => ({ deliveryId: argument(raw, 0, "deliveryId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.replayWebhookDelivery(http, input.org, input.deliveryId);
  },

  view: (delivery) => [
    deliveryFields(delivery),
    text(`Queued; follow it with: partneros webhook delivery ${delivery.id}`),
  ],
});
