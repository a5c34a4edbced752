import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "../errors.ts";
import { type Keyring, keyringFromFile, newKeyringDocument, parseKeyring } from "./keyring.ts";

/** Where the master keys come from, and whether the daemon may write them back. */
export interface KeySource {
  /** For messages: "key file /srv/partneros/master.keys", "PARTNEROS_MASTER_KEYS", … */
  readonly description: string;
  load(): Promise<Keyring>;
  /** Replaces the stored keyring document; only sources the daemon owns (a key file) have it. */
  save?(document: string): Promise<void>;
}

const KEY_BYTES = 32;

/** The keyring document of `keyring`, optionally with a version added or left out. */
function documentOf(keyring: Keyring, change: { add?: number; drop?: number }): string {
  const keys = keyring
    .versions()
    .filter((version) => version !== change.drop)
    .map((version) => ({ version, key: keyring.keyFor(version).toString("base64") }));
  if (change.add !== undefined) {
    keys.push({ version: change.add, key: randomBytes(KEY_BYTES).toString("base64") });
  }
  const primary = change.add ?? keyring.primary;
  return `${JSON.stringify({ primary, keys }, null, 2)}\n`;
}

/**
 * Writes a file so that a crash leaves either the old or the new content,
 * never a torn one: a 0600 sibling is written and synced, renamed over the
 * target, and the directory synced so the rename itself is durable.
 */
function writeFileAtomically(path: string, text: string): void {
  const next = `${path}.next`;
  const fd = openSync(next, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A key file the daemon may extend and prune. */
export function fileKeySource(path: string): KeySource {
  return {
    description: `key file ${path}`,
    load: () => Promise.resolve().then(() => keyringFromFile(path)),
    save: (document) => Promise.resolve().then(() => writeFileAtomically(path, document)),
  };
}

/** A keyring kept only in memory, for tools and tests that never persist it. */
export function memoryKeySource(initial: string): KeySource {
  let document = initial;
  return {
    description: "in-memory keyring",
    load: () => Promise.resolve(parseKeyring(document, "in-memory keyring")),
    save: (next) => {
      document = next;
      return Promise.resolve();
    },
  };
}

/** `keyring` without the retired versions: they neither encrypt nor decrypt. */
function withoutRetired(keyring: Keyring, retired: ReadonlySet<number>): Keyring {
  if (retired.has(keyring.primary)) {
    throw new AppError(
      "CONFIG_INVALID",
      `master key version ${keyring.primary} was retired and cannot be the primary`,
    );
  }
  return {
    primary: keyring.primary,
    keyFor(version) {
      if (retired.has(version)) {
        throw new AppError("INTEGRITY_FAILED", `master key version ${version} was retired`);
      }
      return keyring.keyFor(version);
    },
    versions: () => keyring.versions().filter((version) => !retired.has(version)),
  };
}

/**
 * The daemon's master keys as they stand now. Rotation swaps in a keyring
 * with a new primary and retirement one without an old version; readers take
 * `keyring` once per operation so one encryption never mixes two keyrings.
 */
export class LiveKeyring {
  readonly #source: KeySource;
  readonly #retired: Set<number>;
  #keyring: Keyring;

  private constructor(source: KeySource, keyring: Keyring, retired: Set<number>) {
    this.#source = source;
    this.#keyring = keyring;
    this.#retired = retired;
  }

  /** Loads the source; versions retired in the store are left out even if it still holds them. */
  static async open(source: KeySource, retired: Iterable<number> = []): Promise<LiveKeyring> {
    return LiveKeyring.of(source, await source.load(), retired);
  }

  /** The same from a keyring already loaded from `source`, so the source is read once. */
  static of(source: KeySource, loaded: Keyring, retired: Iterable<number> = []): LiveKeyring {
    const set = new Set(retired);
    return new LiveKeyring(source, withoutRetired(loaded, set), set);
  }

  /** A fresh random keyring held in memory only, for tools and tests that never persist it. */
  static ephemeral(): LiveKeyring {
    const document = newKeyringDocument();
    const source = memoryKeySource(document);
    return LiveKeyring.of(source, parseKeyring(document, source.description));
  }

  get keyring(): Keyring {
    return this.#keyring;
  }

  get writable(): boolean {
    return this.#source.save !== undefined;
  }

  get description(): string {
    return this.#source.description;
  }

  /**
   * Makes a newer primary current. A writable source gets a fresh random
   * version, saved before it is used; any other source is read again and must
   * now name a newer primary (the operator added one to the KMS or helper).
   */
  async advance(): Promise<{ primary: number; created: boolean }> {
    const current = this.#keyring;
    if (this.#source.save) {
      const stored = await this.#source.load();
      const version = Math.max(...stored.versions(), ...current.versions(), ...this.#retired) + 1;
      await this.#source.save(documentOf(stored, { add: version }));
      this.#keyring = withoutRetired(await this.#source.load(), this.#retired);
      return { primary: this.#keyring.primary, created: true };
    }
    const reloaded = withoutRetired(await this.#source.load(), this.#retired);
    if (reloaded.primary <= current.primary) {
      throw new AppError(
        "CONFLICT",
        `the ${this.#source.description} still names version ${current.primary} as primary; ` +
          "add a newer version there first, then rotate again",
      );
    }
    this.#keyring = reloaded;
    return { primary: reloaded.primary, created: false };
  }

  /** Drops a version from memory and, where the source is writable, from the source. */
  async retire(version: number): Promise<{ removedFromSource: boolean }> {
    this.#retired.add(version);
    this.#keyring = withoutRetired(this.#keyring, this.#retired);
    if (!this.#source.save) return { removedFromSource: false };
    const stored = await this.#source.load();
    if (!stored.versions().includes(version)) return { removedFromSource: true };
    await this.#source.save(documentOf(stored, { drop: version }));
    return { removedFromSource: true };
  }
}
