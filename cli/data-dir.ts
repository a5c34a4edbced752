import { chmodSync, mkdirSync, statSync } from "node:fs";
import { AppError } from "../core/errors.ts";

/**
 * Makes sure `path` is a directory only its owner can enter: creates it with
 * mode 0700, or refuses an existing one that group or others can access.
 */
export function ensurePrivateDir(path: string): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error;
    mkdirSync(path, { recursive: true, mode: 0o700 });
    chmodSync(path, 0o700);
    return;
  }
  if (!stats.isDirectory()) {
    throw new AppError("DATA_DIR_INSECURE", `data dir ${path} exists and is not a directory`);
  }
  if ((stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, "0");
    throw new AppError(
      "DATA_DIR_INSECURE",
      `data dir ${path} is accessible by group or others (mode ${mode}); run: chmod 700 ${path}`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new AppError("DATA_DIR_INSECURE", `data dir ${path} belongs to another user`);
  }
}
