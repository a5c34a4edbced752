import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { credentialsView } from "./view.ts";

export const credentialList = defineCommand({
  name: "credential list",
  summary: "List a partner org's stored credentials (secrets masked)",
  options: PARTNER_OPTIONS,
  operation: "GET /v1/credentials",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return (await api.listCredentials(http, input.org)).data;
  },

  view: credentialsView,
});
