import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { text } from "../../output/view.ts";
import { argument, flag, orgScope } from "../../parse.ts";
import { promptConfirm } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";

export const userRemove = defineCommand({
  name: "user remove",
  summary: "Remove a user from an org",
  args: ["<userId>"],
  options: [...PARTNER_OPTIONS, { flags: "--yes", description: "do not ask for confirmation" }],
  operation: "DELETE /v1/users/{userId}",

  parse: (raw) => ({
    userId: argument(raw, 0, "userId"),
    org: orgScope(raw),
    yes: flag(raw, "yes"),
  }),

  async run(input, context) {
    const { http } = await context.session();

    if (!input.yes) {
      const sure = await promptConfirm(context.runtime.terminal, `Remove user ${input.userId}?`);
      if (!sure) throw new CliError("CANCELLED", `user ${input.userId} was not removed`);
    }

    await api.removeUser(http, input.org, input.userId);
    return { removed: input.userId };
  },

  view: (result) => [text(`Removed user ${result.removed}.`)],
});
