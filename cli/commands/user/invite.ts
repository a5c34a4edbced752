import * as api from "../../api/operations.ts";
import { text } from "../../output/view.ts";
import { orgScope, requiredString, role } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { userView } from "./view.ts";

export const userInvite = defineCommand({
  name: "user invite",
  summary: "Invite a user into an org; prints the invitation token once",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--email <email>", description: "the invitee's email", required: true },
    { flags: "--name <name>", description: "the invitee's display name", required: true },
    { flags: "--role <role>", description: "role in the org, e.g. partner_member", required: true },
  ],
  operation: "POST /v1/users",

  parse: (raw) => ({
    org: orgScope(raw),
    body: {
      email: requiredString(raw, "email"),
      name: requiredString(raw, "name"),
      role: role(requiredString(raw, "role")),
    },
  }),

  async run(input, context) {
    const { http } = await context.session();
    return api.inviteUser(http, input.org, input.body);
  },

  view: (result) => [
    ...userView(result.user),
    text(
      "Invitation token, shown this once; hand it to the invitee, who runs " +
        "`partneros user accept`:",
    ),
    text(result.invitation.token),
    text(`It expires at ${result.invitation.expiresAt}.`),
  ],
});
