import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { eventView } from "./view.ts";

export const eventShow = defineCommand({
  name: "event show",
  summary: "Show one event of a partner org by its evt_ id",
  args: ["<eventId>"],
  options: PARTNER_OPTIONS,
  operation: "GET /v1/events/{eventId}",

  parse: (raw) => ({ eventId: argument(raw, 0, "eventId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showEvent(http, input.org, input.eventId);
  },

  view: eventView,
});
