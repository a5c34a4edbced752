import { AppError } from "../core/errors.ts";
import type { Profile, ProfilesFile } from "./profiles.ts";

export const DEFAULT_URL = "http://127.0.0.1:7420";
export const DEFAULT_PROFILE = "default";

type Env = Readonly<Record<string, string | undefined>>;

export interface Connection {
  profileName: string;
  url: string;
  token: string;
  /** Whether the token came from the profile, so `logout` may clear it there. */
  tokenFromProfile: boolean;
}

/** The profile in use: `--profile` (or PARTNEROS_PROFILE), else the current one, else default. */
export function profileNameOf(file: ProfilesFile, flag: string | undefined): string {
  return flag ?? file.current ?? DEFAULT_PROFILE;
}

export function profileOf(file: ProfilesFile, name: string): Profile | undefined {
  return Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
}

/** Where public endpoints live: PARTNEROS_URL, then the profile, then the local default. */
export function resolveUrl(file: ProfilesFile, flag: string | undefined, env: Env): string {
  return env.PARTNEROS_URL || profileOf(file, profileNameOf(file, flag))?.url || DEFAULT_URL;
}

/**
 * The daemon URL and bearer token for authenticated calls. PARTNEROS_URL and
 * PARTNEROS_TOKEN override the profile, so a pipeline can run on a machine key
 * without any profile file.
 */
export function resolveConnection(
  file: ProfilesFile,
  flag: string | undefined,
  env: Env,
): Connection {
  const profileName = profileNameOf(file, flag);
  const profile = profileOf(file, profileName);
  const envToken = env.PARTNEROS_TOKEN || undefined;
  const token = envToken ?? profile?.token;
  if (!token) {
    const why = profile ? `profile ${profileName} is not logged in` : `no profile ${profileName}`;
    throw new AppError(
      "NOT_CONFIGURED",
      `${why}; run \`partneros init\` or \`partneros login\`, or set PARTNEROS_TOKEN`,
    );
  }
  const url = env.PARTNEROS_URL || profile?.url || DEFAULT_URL;
  return { profileName, url, token, tokenFromProfile: envToken === undefined };
}
