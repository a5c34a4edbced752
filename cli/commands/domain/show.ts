import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { domainView } from "./view.ts";

export const domainShow = defineCommand({
  name: "domain show",
  summary: "Show one custom domain, with its TXT record while unverified",
  args: ["<domainId>"],
  options: PARTNER_OPTIONS,
  operation: "GET /v1/domains/{domainId}",

  parse: (raw) => ({ domainId: argument(raw, 0, "domainId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showDomain(http, input.org, input.domainId);
  },

  view: domainView,
});
