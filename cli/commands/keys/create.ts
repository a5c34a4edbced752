import * as api from "../../api/operations.ts";
import type { CreateKeyBody } from "../../api/types.ts";
import { text } from "../../output/view.ts";
import { duration, optionalString, orgScope, requiredString, role, scopes } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { tokenView } from "./view.ts";

export const keysCreate = defineCommand({
  name: "keys create",
  summary: "Create a machine key; prints its token once",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--name <name>", description: "what the key is for", required: true },
    {
      flags: "--role <role>",
      description:
        "role of the key (default: yours in your own org, else the top role you may grant)",
    },
    { flags: "--scopes <list>", description: "comma-separated permissions to narrow the key to" },
    { flags: "--expires-in <duration>", description: "lifetime such as 30d, 12h" },
  ],
  operation: "POST /v1/keys",

  parse: (raw) => {
    const body: CreateKeyBody = { name: requiredString(raw, "name") };
    const roleText = optionalString(raw, "role");
    const scopesText = optionalString(raw, "scopes");
    const expiresIn = optionalString(raw, "expiresIn");
    if (roleText !== undefined) body.role = role(roleText);
    if (scopesText !== undefined) body.scopes = scopes(scopesText);
    if (expiresIn !== undefined) body.expiresIn = duration(expiresIn, "--expires-in");
    return { org: orgScope(raw), body };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.createKey(http, input.org, input.body);
  },

  view: (result) => [
    text(`Created key ${result.key.id} (${result.key.name}, role ${result.key.role}).`),
    ...tokenView(result.token),
  ],
});
