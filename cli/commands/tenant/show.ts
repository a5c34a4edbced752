import * as api from "../../api/operations.ts";
import { argument } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { tenantView } from "./view.ts";

export const tenantShow = defineCommand({
  name: "tenant show",
  summary: "Show one partner org",
  args: ["<tenant>"],
  operation: "GET /v1/tenants/{tenant}",

  parse: (raw) => ({ tenant: argument(raw, 0, "tenant") }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showTenant(http, input.tenant);
  },

  view: tenantView,
});
