import * as api from "../api/operations.ts";
import { profileOf, resolveConnection } from "../connection.ts";
import { CliError } from "../errors.ts";
import { text } from "../output/view.ts";
import { defineCommand } from "./define.ts";

export const logout = defineCommand({
  name: "logout",
  summary: "End the session and remove its token from the profile",
  operation: "POST /v1/auth/logout",

  parse: () => ({}),

  async run(_input, context) {
    const { runtime } = context;
    const profiles = context.loadProfiles();
    const connection = resolveConnection(profiles, runtime.profileFlag, runtime.env);

    // An expired session is already over on the daemon; the local token still goes.
    let revoked = true;
    try {
      const { http } = await context.session();
      await api.logout(http);
    } catch (error) {
      if (!(error instanceof CliError && error.code === "UNAUTHENTICATED")) throw error;
      revoked = false;
    }

    const profile = profileOf(profiles, connection.profileName);
    if (connection.tokenFromProfile && profile) {
      const { token: _dropped, ...kept } = profile;
      const next = { ...profiles.profiles, [connection.profileName]: kept };
      context.saveProfiles({ ...profiles, profiles: next });
    }
    return { profile: connection.profileName, revoked, cleared: connection.tokenFromProfile };
  },

  view: (result) => [
    text(
      result.revoked
        ? `Logged out (profile ${result.profile}).`
        : `The session had already ended; its token is removed (profile ${result.profile}).`,
    ),
    ...(result.cleared ? [] : [text("PARTNEROS_TOKEN is set; unset it to stop using it.")]),
  ],
});
