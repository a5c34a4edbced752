import * as api from "../api/operations.ts";
import { profileNameOf, profileOf, resolveUrl } from "../connection.ts";
import { fields, text, type View } from "../output/view.ts";
import { baseUrl, flag, optionalString, requiredString } from "../parse.ts";
import { promptSecret, readLines, secretLine } from "../secrets.ts";
import { defineCommand } from "./define.ts";
import { PASSWORD_STDIN_OPTION, URL_OPTION } from "./options.ts";

export const login = defineCommand({
  name: "login",
  summary: "Log in with email and password and save the session in the profile",
  options: [
    { flags: "--email <email>", description: "your email", required: true },
    { flags: "--org <slug>", description: "the org to log into, when the email is in several" },
    PASSWORD_STDIN_OPTION,
    URL_OPTION,
  ],
  operation: "POST /v1/auth/login",

  parse: (raw) => {
    const url = optionalString(raw, "url");
    return {
      email: requiredString(raw, "email"),
      org: optionalString(raw, "org"),
      passwordStdin: flag(raw, "passwordStdin"),
      url: url === undefined ? undefined : baseUrl(url),
    };
  },

  async run(input, context) {
    const { runtime } = context;
    const profiles = context.loadProfiles();
    const profile = profileNameOf(profiles, runtime.profileFlag);
    const url = input.url ?? resolveUrl(profiles, runtime.profileFlag, runtime.env);

    const password = input.passwordStdin
      ? secretLine(await readLines(runtime.terminal.input), 0, "password")
      : await promptSecret(runtime.terminal, "Password", "--password-stdin");
    const body = { email: input.email, password, ...(input.org ? { org: input.org } : {}) };
    const session = await api.login(context.publicHttp(url), body);

    const saved = { ...profileOf(profiles, profile), url, token: session.token };
    const current = profiles.current ?? profile;
    context.saveProfiles({ current, profiles: { ...profiles.profiles, [profile]: saved } });
    return {
      profile,
      url,
      expiresAt: session.expiresAt,
      actor: session.actor,
      tokenOverridden: Boolean(runtime.env.PARTNEROS_TOKEN),
    };
  },

  view: (result) => {
    const view: View = [
      fields([
        ["logged in as", `${result.actor.id} (${result.actor.role})`],
        ["org", `${result.actor.orgSlug} (${result.actor.orgId})`],
        ["profile", result.profile],
        ["url", result.url],
        ["expires", result.expiresAt],
      ]),
    ];
    if (!result.tokenOverridden) return view;
    return [...view, text("Note: PARTNEROS_TOKEN is set and overrides this profile's token.")];
  },
});
