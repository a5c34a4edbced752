import * as api from "../../api/operations.ts";
import { argument } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { tenantView } from "./view.ts";

export const tenantSuspend = defineCommand({
  name: "tenant suspend",
  summary: "Suspend a partner org",
  args: ["<tenant>"],
  operation: "POST /v1/tenants/{tenant}/suspend",

  parse: (raw) => ({ tenant: argument(raw, 0, "tenant") }),

  async run(input, context) {
    const { http } = await context.session();
    return api.suspendTenant(http, input.tenant);
  },

  view: tenantView,
});
