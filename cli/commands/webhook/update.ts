import { AppError } from "../../../core/errors.ts";
import * as api from "../../api/operations.ts";
import type { UpdateWebhookBody } from "../../api/types.ts";
import { argument, flag, optionalString, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { eventTypes, WEBHOOK_SCOPE_OPTIONS } from "./options.ts";
import { webhookView } from "./view.ts";

export const webhookUpdate = defineCommand({
  name: "webhook update",
  summary: "Change an endpoint's URL, events, description, or enable or disable it",
  args: ["<webhookId>"],
  options: [
    ...WEBHOOK_SCOPE_OPTIONS,
    { flags: "--url <url>", description: "new destination (checked again)" },
    { flags: "--events <list>", description: "comma-separated event types, replacing the set" },
    { flags: "--description <text>", description: 'new description ("" clears it)' },
    { flags: "--enable", description: "deliver to it again" },
    { flags: "--disable", description: "stop delivering to it" },
    {
      flags: "--reason <text>",
      description: "operator endpoints: why they receive every partner's events (audited)",
    },
  ],
  operation: "PATCH /v1/webhooks/{webhookId}",

  parse: (raw) => {
    const body: UpdateWebhookBody = {};
    const url = optionalString(raw, "url");
    const events = optionalString(raw, "events");
    const description = optionalString(raw, "description");
    if (url !== undefined) body.url = url;
    if (events !== undefined) body.eventTypes = eventTypes(events);
    if (description !== undefined) body.description = description;
    const [enable, disable] = [flag(raw, "enable"), flag(raw, "disable")];
    if (enable && disable) throw invalid("--enable and --disable cannot be given together");
    if (enable) body.status = "enabled";
    if (disable) body.status = "disabled";
    if (Object.keys(body).length === 0) {
      throw invalid("give at least one of --url, --events, --description, --enable, --disable");
    }
    const reason = optionalString(raw, "reason");
    if (reason !== undefined) body.reason = reason;
    return { webhookId: argument(raw, 0, "webhookId"), org: orgScope(raw), body };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.updateWebhook(http, input.org, input.webhookId, input.body);
  },

  view: webhookView,
});

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);
