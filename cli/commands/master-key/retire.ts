import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { text } from "../../output/view.ts";
import { argument, flag, positiveInteger } from "../../parse.ts";
import { promptConfirm } from "../../secrets.ts";
import { defineCommand } from "../define.ts";

export const masterKeyRetire = defineCommand({
  name: "master-key retire",
  summary: "Retire a master key version no stored secret uses any more",
  args: ["<version>"],
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  operation: "POST /v1/master-key/versions/{version}/retire",

  parse: (raw) => ({
    version: positiveInteger(argument(raw, 0, "version"), "<version>"),
    yes: flag(raw, "yes"),
  }),

  async run(input, context) {
    const { http } = await context.session();

    if (!input.yes) {
      const sure = await promptConfirm(
        context.runtime.terminal,
        `Retire master key version ${input.version}? It will no longer decrypt anything.`,
      );
      if (!sure) throw new CliError("CANCELLED", `version ${input.version} was not retired`);
    }

    return api.retireMasterKey(http, input.version);
  },

  view: (result) => [
    text(
      result.removedFromSource
        ? `Retired master key version ${result.version} and removed it from the key file.`
        : `Retired master key version ${result.version}; the daemon no longer uses it. ` +
            "Remove it from your key source (PARTNEROS_MASTER_KEYS or the key command) too.",
    ),
  ],
});
