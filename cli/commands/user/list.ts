import * as api from "../../api/operations.ts";
import { orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { usersView } from "./view.ts";

export const userList = defineCommand({
  name: "user list",
  summary: "List the users of an org",
  options: PARTNER_OPTIONS,
  operation: "GET /v1/users",

  parse: (raw) => ({ org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.listUsers(http, input.org);
  },

  view: (result) => usersView(result.data),
});
