import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { domainView } from "./view.ts";

export const domainAdd = defineCommand({
  name: "domain add",
  summary: "Claim a hostname for a partner's portal; prints the TXT record that proves it",
  args: ["<hostname>"],
  options: PARTNER_OPTIONS,
  operation: "POST /v1/domains",

  parse: (raw) => ({ hostname: argument(raw, 0, "hostname"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.addDomain(http, input.org, input.hostname);
  },

  view: domainView,
});
