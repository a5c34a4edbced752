import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { keysView } from "./view.ts";

export const keysList = defineCommand({
  name: "keys list",
  summary: "List the machine keys of an org",
  options: PARTNER_OPTIONS,
  operation: "GET /v1/keys",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.listKeys(http, input.org);
  },

  view: (result) => keysView(result.data),
});
