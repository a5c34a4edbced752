import * as api from "../../api/operations.ts";
import { argument, orgScope, requiredString, role } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { userView } from "./view.ts";

export const userSetRole = defineCommand({
  name: "user set-role",
  summary: "Change the role of a user",
  args: ["<userId>"],
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--role <role>", description: "the new role", required: true },
  ],
  operation: "PATCH /v1/users/{userId}",

  parse: (raw) => ({
    userId: argument(raw, 0, "userId"),
    org: orgScope(raw),
    role: role(requiredString(raw, "role")),
  }),

  async run(input, context) {
    const { http } = await context.session();
    return api.updateUserRole(http, input.org, input.userId, input.role);
  },

  view: userView,
});
