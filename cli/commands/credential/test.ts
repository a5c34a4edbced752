import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { fields } from "../../output/view.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";

export const credentialTest = defineCommand({
  name: "credential test",
  summary: "Try a stored credential against its server (fails unless it is accepted)",
  args: ["<credentialId>"],
  options: PARTNER_OPTIONS,
  operation: "POST /v1/credentials/{credentialId}/test",

  parse: (raw) => ({ credentialId: argument(raw, 0, "credentialId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.testCredential(http, input.org, input.credentialId);
  },

  view: (result) => [
    fields([
      ["credential", result.credentialId],
      ["kind", result.kind],
      ["outcome", result.outcome],
      ["detail", result.detail],
    ]),
  ],

  // The result is printed either way; a script reads the failure from the exit status.
  failure: (result) =>
    result.ok
      ? undefined
      : new CliError(
          "CREDENTIAL_TEST_FAILED",
          `credential ${result.credentialId} was not accepted: ${result.outcome}`,
        ),
});
