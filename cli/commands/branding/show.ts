import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { brandingView } from "./view.ts";

export const brandingShow = defineCommand({
  name: "branding show",
  summary: "Show the public branding a partner's verified domains serve",
  options: PARTNER_OPTIONS,
  operation: "GET /v1/branding",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.getBranding(http, input.org);
  },

  view: brandingView,
});
