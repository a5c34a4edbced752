import * as api from "../../api/operations.ts";
import { oneOf, optionalString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { tenantsView } from "./view.ts";

const STATUSES = ["active", "suspended"] as const;

export const tenantList = defineCommand({
  name: "tenant list",
  summary: "List partner orgs",
  options: [{ flags: "--status <status>", description: "only orgs that are active or suspended" }],
  operation: "GET /v1/tenants",

  parse: (raw) => {
    const status = optionalString(raw, "status");
    return { status: status === undefined ? undefined : oneOf(status, STATUSES, "--status") };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.listTenants(http, input.status);
  },

  view: (result) => tenantsView(result.data),
});
