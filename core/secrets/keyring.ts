import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { AppError } from "../errors.ts";

/** A version of the master key: 256 bits, numbered from 1. */
export interface MasterKey {
  readonly version: number;
  readonly key: Buffer;
}

export interface Keyring {
  /** The version new encryptions use. */
  readonly primary: number;
  keyFor(version: number): Buffer;
  versions(): number[];
}

const KEY_BYTES = 32;

interface KeyringDocument {
  primary: number;
  keys: { version: number; key: string }[];
}

/**
 * Parses the keyring document `{"primary": 2, "keys": [{"version": 1, "key":
 * "<base64 of 32 bytes>"}, …]}`. Errors name the problem, never a key.
 */
export function parseKeyring(text: string, source: string): Keyring {
  let doc: KeyringDocument;
  try {
    doc = JSON.parse(text) as KeyringDocument;
  } catch {
    throw new AppError("CONFIG_INVALID", `${source}: the keyring is not valid JSON`);
  }
  if (!doc || !Array.isArray(doc.keys) || !Number.isInteger(doc.primary)) {
    throw new AppError("CONFIG_INVALID", `${source}: the keyring needs primary and keys`);
  }
  const keys = new Map<number, Buffer>();
  for (const entry of doc.keys) {
    const key = typeof entry?.key === "string" ? Buffer.from(entry.key, "base64") : undefined;
    if (!Number.isInteger(entry?.version) || entry.version < 1) {
      throw new AppError("CONFIG_INVALID", `${source}: key versions are whole numbers from 1`);
    }
    if (!key || key.length !== KEY_BYTES) {
      throw new AppError(
        "CONFIG_INVALID",
        `${source}: key version ${entry.version} is not 256 bits`,
      );
    }
    if (keys.has(entry.version)) {
      throw new AppError("CONFIG_INVALID", `${source}: key version ${entry.version} appears twice`);
    }
    keys.set(entry.version, key);
  }
  if (!keys.has(doc.primary)) {
    throw new AppError(
      "CONFIG_INVALID",
      `${source}: the primary version ${doc.primary} is missing`,
    );
  }
  return {
    primary: doc.primary,
    keyFor(version) {
      const key = keys.get(version);
      if (!key) {
        throw new AppError(
          "INTEGRITY_FAILED",
          `master key version ${version} is not in the keyring`,
        );
      }
      return key;
    },
    versions: () => [...keys.keys()].sort((a, b) => a - b),
  };
}

/** Reads a keyring file, refusing one that anybody but its owner can read or write. */
export function keyringFromFile(path: string): Keyring {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    throw new AppError(
      "NOT_CONFIGURED",
      `master key file ${path} does not exist; ` +
        "run partneros init or set PARTNEROS_MASTER_KEYS",
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      "DATA_DIR_INSECURE",
      `master key file ${path} is accessible to other users ` +
        `(mode ${mode.toString(8)}); chmod 600 it`,
    );
  }
  return parseKeyring(readFileSync(path, "utf8"), path);
}

/** Runs a helper (a KMS or HSM client) that prints the keyring document on stdout. */
export async function keyringFromCommand(
  command: string,
  args: readonly string[],
): Promise<Keyring> {
  try {
    const { stdout } = await promisify(execFile)(command, [...args], {
      timeout: 10_000,
      maxBuffer: 1024 * 1024,
    });
    return parseKeyring(stdout, `key command ${command}`);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The helper's own output may hold key material: report only that it failed.
    throw new AppError("CONFIG_INVALID", `key command ${command} failed`);
  }
}

/** A new keyring document holding one random 256-bit key, version 1, as the primary. */
export function newKeyringDocument(): string {
  const key = randomBytes(KEY_BYTES).toString("base64");
  return `${JSON.stringify({ primary: 1, keys: [{ version: 1, key }] }, null, 2)}\n`;
}

/**
 * Writes a new key file (mode 0600) unless one exists; an existing file is
 * checked and kept, since overwriting it would strand every value it encrypted.
 */
export function ensureKeyFile(path: string): { created: boolean } {
  if (existsSync(path)) {
    keyringFromFile(path);
    return { created: false };
  }
  writeFileSync(path, newKeyringDocument(), { mode: 0o600, flag: "wx" });
  return { created: true };
}
