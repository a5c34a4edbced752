import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { AppError } from "../core/errors.ts";

export interface Profile {
  url: string;
  token?: string;
  dataDir?: string;
}

export interface ProfilesFile {
  current?: string;
  profiles: Record<string, Profile>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `$PARTNEROS_CONFIG_DIR/profiles.json`, else under the XDG config home. */
export function profilesPath(env: Env): string {
  const configured = env.PARTNEROS_CONFIG_DIR;
  if (configured) return join(configured, "profiles.json");
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "partneros", "profiles.json");
}

/**
 * Reads the profile file; a missing file is an empty one. A file that group
 * or others may access is refused: it holds bearer tokens.
 */
export function readProfiles(path: string): ProfilesFile {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if (isMissing(error)) return { profiles: {} };
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    const shown = (mode & 0o777).toString(8).padStart(4, "0");
    throw new AppError(
      "CONFIG_INVALID",
      `profile file ${path} is accessible by group or others (mode ${shown}); ` +
        `run: chmod 600 ${path}`,
    );
  }
  return parseProfiles(readFileSync(path, "utf8"), path);
}

/** Writes the whole file atomically: a 0600 temp file in the same dir, then a rename. */
export function writeProfiles(path: string, file: ProfilesFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(temp);
    throw error;
  }
}

export function parseProfiles(text: string, path: string): ProfilesFile {
  const invalid = (why: string) =>
    new AppError("CONFIG_INVALID", `profile file ${path} is invalid: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid("not JSON");
  }
  if (!isRecord(raw) || !isRecord(raw.profiles)) throw invalid("no profiles object");
  if (raw.current !== undefined && typeof raw.current !== "string") {
    throw invalid("current is not a string");
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(raw.profiles)) {
    if (!isRecord(value) || typeof value.url !== "string") throw invalid(`profile ${name}`);
    const profile: Profile = { url: value.url };
    if (typeof value.token === "string") profile.token = value.token;
    if (typeof value.dataDir === "string") profile.dataDir = value.dataDir;
    profiles[name] = profile;
  }
  return raw.current === undefined ? { profiles } : { current: raw.current, profiles };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed after a successful write
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing to clean up
  }
}
