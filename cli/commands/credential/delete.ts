import * as api from "../../api/operations.ts";
import { text } from "../../output/view.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";

export const credentialDelete = defineCommand({
  name: "credential delete",
  summary: "Delete a stored credential",
  args: ["<credentialId>"],
  options: PARTNER_OPTIONS,
  operation: "DELETE /v1/credentials/{credentialId}",

  parse: (raw) => ({ credentialId: argument(raw, 0, "credentialId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    await api.deleteCredential(http, input.org, input.credentialId);
    return { deleted: input.credentialId };
  },

  view: (result) => [text(`Deleted credential ${result.deleted}.`)],
});
