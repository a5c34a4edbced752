import { resolve } from "node:path";
import { AppError } from "../../../core/errors.ts";
import { profileNameOf, profileOf } from "../../connection.ts";
import type { CommandContext } from "../../context.ts";

export const DATA_DIR_OPTION = {
  flags: "--data-dir <dir>",
  description: "the daemon's data dir (default: PARTNEROS_DATA_DIR or the profile's)",
};

/** The data dir and URL the profile knows, without requiring a login. */
export function profileDaemon(context: CommandContext) {
  const profiles = context.loadProfiles();
  const profile = profileOf(profiles, profileNameOf(profiles, context.runtime.profileFlag));
  return { dataDir: profile?.dataDir, url: profile?.url };
}

export function dataDirOf(context: CommandContext, flag: string | undefined): string | undefined {
  const chosen = flag ?? (context.runtime.env.PARTNEROS_DATA_DIR || profileDaemon(context).dataDir);
  return chosen === undefined ? undefined : resolve(chosen);
}

export function dataDirOrThrow(context: CommandContext, flag: string | undefined): string {
  const dataDir = dataDirOf(context, flag);
  if (dataDir) return dataDir;
  throw new AppError(
    "NOT_CONFIGURED",
    "no data dir; pass --data-dir, set PARTNEROS_DATA_DIR, or run `partneros init`",
  );
}
