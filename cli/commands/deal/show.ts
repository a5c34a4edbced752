import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { dealView } from "./view.ts";

export const dealShow = defineCommand({
  name: "deal show",
  summary: "Show one deal of a partner org",
  args: ["<dealId>"],
  options: PARTNER_OPTIONS,
  operation: "GET /v1/deals/{dealId}",

  parse: (raw) => ({ dealId: argument(raw, 0, "dealId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showDeal(http, input.org, input.dealId);
  },

  view: dealView,
});
