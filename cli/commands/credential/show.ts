import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { credentialView } from "./view.ts";

export const credentialShow = defineCommand({
  name: "credential show",
  summary: "Show one credential (secrets masked)",
  args: ["<credentialId>"],
  options: PARTNER_OPTIONS,
  operation: "GET /v1/credentials/{credentialId}",

  parse: (raw) => ({ credentialId: argument(raw, 0, "credentialId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showCredential(http, input.org, input.credentialId);
  },

  view: credentialView,
});
