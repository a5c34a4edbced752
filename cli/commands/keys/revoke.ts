import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { keyView } from "./view.ts";

export const keysRevoke = defineCommand({
  name: "keys revoke",
  summary: "Revoke a machine key now",
  args: ["<keyId>"],
  options: PARTNER_OPTIONS,
  operation: "POST /v1/keys/{keyId}/revoke",

  parse: (raw) => ({ keyId: argument(raw, 0, "keyId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.revokeKey(http, input.org, input.keyId);
  },

  view: keyView,
});
