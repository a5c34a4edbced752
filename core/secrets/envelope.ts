import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors.ts";
import type { Keyring } from "./keyring.ts";
import { Secret } from "./secret.ts";

/**
 * Where a ciphertext lives. It is bound into the GCM associated data, so a
 * value copied to another org, row, kind or field no longer decrypts.
 */
export interface SecretBinding {
  readonly orgId: string;
  readonly table: string;
  readonly rowId: string;
  readonly kind: string;
  readonly field: string;
}

/** Counts encryptions per key version and refuses once a version has done enough. */
export interface EncryptionCounter {
  record(version: number): void;
}

const FORMAT = "pos1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const STORED =
  /^pos1\.k([1-9]\d{0,8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

function associatedData(version: number, binding: SecretBinding): Buffer {
  const { orgId, table, rowId, kind, field } = binding;
  return Buffer.from(JSON.stringify([FORMAT, version, orgId, table, rowId, kind, field]), "utf8");
}

const integrityError = () =>
  new AppError("INTEGRITY_FAILED", "a stored secret failed its integrity check");

/**
 * Encrypts with AES-256-GCM under the primary key and a fresh random 96-bit
 * nonce. The stored text names its format and key version:
 * `pos1.k<version>.<nonce>.<ciphertext>.<tag>` (base64url parts).
 */
export function encryptSecret(
  keyring: Keyring,
  counter: EncryptionCounter,
  binding: SecretBinding,
  plaintext: Secret,
): string {
  const version = keyring.primary;
  counter.record(version);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.keyFor(version), nonce, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(associatedData(version, binding));
  const body = plaintext.use((text) =>
    Buffer.concat([cipher.update(text, "utf8"), cipher.final()]),
  );
  const tag = cipher.getAuthTag();
  return [
    FORMAT,
    `k${version}`,
    nonce.toString("base64url"),
    body.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

/** The key version a stored value was written with, or undefined for foreign text. */
export function keyVersionOf(stored: string): number | undefined {
  const match = STORED.exec(stored);
  return match ? Number(match[1]) : undefined;
}

/**
 * Decrypts a stored value for the binding it belongs to. Any mismatch — wrong
 * row, org, kind or field, altered bytes, unknown format or key version —
 * throws INTEGRITY_FAILED; the stored text is never handed back instead.
 */
export function decryptSecret(keyring: Keyring, binding: SecretBinding, stored: string): Secret {
  const match = STORED.exec(stored);
  if (!match) throw integrityError();
  const [, versionText = "", nonce = "", body = "", tag = ""] = match;
  const version = Number(versionText);
  let key: Buffer;
  try {
    key = keyring.keyFor(version);
  } catch {
    throw integrityError();
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(version, binding));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(body, "base64url")),
      decipher.final(),
    ]);
    return new Secret(plaintext.toString("utf8"));
  } catch {
    throw integrityError();
  }
}

/**
 * A per-version counter that refuses to let a key go past `limit`
 * encryptions. With random 96-bit nonces GCM stays within its collision
 * bound up to 2^32 messages per key; the default stops at 2^30.
 */
export class BoundedCounter implements EncryptionCounter {
  static readonly DEFAULT_LIMIT = 2 ** 30;
  readonly #counts: Map<number, number>;
  readonly #limit: number;

  constructor(
    initial: ReadonlyMap<number, number> = new Map(),
    limit = BoundedCounter.DEFAULT_LIMIT,
  ) {
    this.#counts = new Map(initial);
    this.#limit = limit;
  }

  record(version: number): void {
    const next = (this.#counts.get(version) ?? 0) + 1;
    if (next > this.#limit) {
      throw new AppError(
        "UNAVAILABLE",
        `master key version ${version} has done its share of encryptions; rotate the master key`,
      );
    }
    this.#counts.set(version, next);
  }

  count(version: number): number {
    return this.#counts.get(version) ?? 0;
  }
}
