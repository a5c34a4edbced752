import { assertPasswordAcceptable } from "../../../core/passwords.ts";
import * as api from "../../api/operations.ts";
import { fields, text } from "../../output/view.ts";
import { flag, optionalString } from "../../parse.ts";
import { promptNewPassword, promptSecret, readLines, secretLine } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { PASSWORD_STDIN_OPTION, URL_OPTION } from "../options.ts";

export const userAccept = defineCommand({
  name: "user accept",
  summary: "Accept an invitation and choose a password",
  options: [
    {
      flags: "--token-stdin",
      description: "read the invitation token from the first line of stdin",
    },
    {
      ...PASSWORD_STDIN_OPTION,
      description: "read the password from stdin (the second line with --token-stdin)",
    },
    URL_OPTION,
  ],
  operation: "POST /v1/invitations/accept",

  parse: (raw) => ({
    tokenStdin: flag(raw, "tokenStdin"),
    passwordStdin: flag(raw, "passwordStdin"),
    url: optionalString(raw, "url"),
  }),

  async run(input, context) {
    const { terminal } = context.runtime;
    const lines = input.tokenStdin || input.passwordStdin ? await readLines(terminal.input) : [];
    const token = input.tokenStdin
      ? secretLine(lines, 0, "invitation token")
      : await promptSecret(terminal, "Invitation token", "--token-stdin");
    const password = input.passwordStdin
      ? secretLine(lines, input.tokenStdin ? 1 : 0, "password")
      : await promptNewPassword(terminal, "--password-stdin");
    assertPasswordAcceptable(password);

    const joined = await api.acceptInvitation(context.publicHttp(input.url), { token, password });
    return { ...joined, url: input.url };
  },

  view: (result) => [
    fields([
      ["user", result.userId],
      ["org", result.orgId],
      ["email", result.email],
    ]),
    text(
      `Joined. Log in with: partneros login --email ${result.email}` +
        (result.url ? ` --url ${result.url}` : ""),
    ),
  ],
});
