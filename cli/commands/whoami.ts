import * as api from "../api/operations.ts";
import { fields, text } from "../output/view.ts";
import { defineCommand } from "./define.ts";

export const whoami = defineCommand({
  name: "whoami",
  summary: "Show who the CLI acts as, and the permissions held",
  operation: "GET /v1/me",

  parse: () => ({}),

  async run(_input, context) {
    const { http, me, connection } = await context.session();
    const current = me ?? (await api.me(http));
    return { ...current, profile: connection.profileName, url: connection.url };
  },

  view: ({ actor, permissions, profile, url }) => [
    fields([
      ["kind", actor.kind],
      ["id", actor.id],
      ["org", `${actor.orgSlug} (${actor.orgId})`],
      ["account type", actor.accountType],
      ["role", actor.role],
      ["credential", actor.credentialId],
      ["profile", profile],
      ["url", url],
    ]),
    text(["permissions:", ...permissions.map((permission) => `  ${permission}`)].join("\n")),
  ],
});
