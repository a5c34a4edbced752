import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { text } from "../../output/view.ts";
import { argument, flag, orgScope } from "../../parse.ts";
import { promptConfirm } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";

export const domainRemove = defineCommand({
  name: "domain remove",
  summary: "Remove a custom domain; it stops being honoured at once",
  args: ["<domainId>"],
  options: [...PARTNER_OPTIONS, { flags: "--yes", description: "do not ask for confirmation" }],
  operation: "DELETE /v1/domains/{domainId}",

  parse: (raw) => ({
    domainId: argument(raw, 0, "domainId"),
    org: orgScope(raw),
    yes: flag(raw, "yes"),
  }),

  async run(input, context) {
    const { http } = await context.session();

    if (!input.yes) {
      const sure = await promptConfirm(context.runtime.terminal, `Remove ${input.domainId}?`);
      if (!sure) throw new CliError("CANCELLED", `domain ${input.domainId} was not removed`);
    }

    await api.removeDomain(http, input.org, input.domainId);
    return { removed: input.domainId };
  },

  view: (result) => [text(`Removed domain ${result.removed}.`)],
});
