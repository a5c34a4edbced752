import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { domainsView } from "./view.ts";

export const domainList = defineCommand({
  name: "domain list",
  summary: "List a partner's custom domains and their status",
  options: PARTNER_OPTIONS,
  operation: "GET /v1/domains",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return (await api.listDomains(http, input.org)).data;
  },

  view: domainsView,
});
