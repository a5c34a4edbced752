import * as api from "../../api/operations.ts";
import type { RotateKeyBody } from "../../api/types.ts";
import { text } from "../../output/view.ts";
import { argument, duration, optionalString, orgScope, scopes } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { tokenView } from "./view.ts";

export const keysRotate = defineCommand({
  name: "keys rotate",
  summary: "Replace a machine key with a new one; prints the new token once",
  args: ["<keyId>"],
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--grace <duration>", description: "how long the old key keeps working, e.g. 1h" },
    { flags: "--scopes <list>", description: "comma-separated scopes for the new key" },
  ],
  operation: "POST /v1/keys/{keyId}/rotate",

  parse: (raw) => {
    const body: RotateKeyBody = {};
    const grace = optionalString(raw, "grace");
    const scopesText = optionalString(raw, "scopes");
    if (grace !== undefined) body.gracePeriod = duration(grace, "--grace");
    if (scopesText !== undefined) body.scopes = scopes(scopesText);
    return { keyId: argument(raw, 0, "keyId"), org: orgScope(raw), body };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.rotateKey(http, input.org, input.keyId, input.body);
  },

  view: (result) => [
    text(`Rotated key ${result.previous.id} to ${result.key.id}.`),
    text(oldKeyNote(result.previous.status, result.previous.expiresAt)),
    ...tokenView(result.token),
  ],
});

function oldKeyNote(status: string, expiresAt: string | null): string {
  if (status !== "active") return `The old key is ${status}.`;
  return expiresAt
    ? `The old key keeps working until ${expiresAt}.`
    : "The old key is still active.";
}
