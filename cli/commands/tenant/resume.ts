import * as api from "../../api/operations.ts";
import { argument } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { tenantView } from "./view.ts";

export const tenantResume = defineCommand({
  name: "tenant resume",
  summary: "Resume a suspended partner org",
  args: ["<tenant>"],
  operation: "POST /v1/tenants/{tenant}/resume",

  parse: (raw) => ({ tenant: argument(raw, 0, "tenant") }),

  async run(input, context) {
    const { http } = await context.session();
    return api.resumeTenant(http, input.tenant);
  },

  view: tenantView,
});
