import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format, inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AppError } from "../../core/errors.ts";
import {
  BoundedCounter,
  decryptSecret,
  encryptSecret,
  keyVersionOf,
  type SecretBinding,
} from "../../core/secrets/envelope.ts";
import { keyringFromCommand, keyringFromFile, parseKeyring } from "../../core/secrets/keyring.ts";
import { Secret } from "../../core/secrets/secret.ts";

const CANARY = "canary-smtp-password-7d1f";

function keyringDoc(versions: number[], primary = Math.max(...versions)) {
  return JSON.stringify({
    primary,
    keys: versions.map((version) => ({ version, key: randomBytes(32).toString("base64") })),
  });
}

const binding: SecretBinding = {
  orgId: "org_a",
  table: "credentials",
  rowId: "cred_1",
  kind: "smtp",
  field: "password",
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : "not an AppError";
  }
  return undefined;
}

describe("a Secret", () => {
  const secret = new Secret(CANARY);

  it.each([
    ["String()", () => String(secret)],
    ["a template literal", () => `${secret}`],
    ["JSON", () => JSON.stringify({ secret })],
    ["util.inspect", () => inspect({ nested: { secret } }, { depth: 5 })],
    ["util.format (console)", () => format("%s %o %j", secret, secret, secret)],
    ["an error message", () => new Error(`failed with ${secret}`).message],
    ["string concatenation", () => `x${secret}`],
  ])("prints as [redacted] through %s", (_label, render) => {
    const text = render();
    expect(text).toContain("[redacted]");
    expect(text).not.toContain(CANARY);
  });

  it("hands the plaintext only to use()", () => {
    expect(secret.use((plaintext) => plaintext.length)).toBe(CANARY.length);
    expect(secret.use((plaintext) => plaintext === CANARY)).toBe(true);
  });

  it("masks all but the last characters, and those only for long values", () => {
    expect(new Secret("sk_live_abcdefgh1234").hint(4)).toBe("••••1234");
    expect(new Secret("short").hint(4)).toBe("••••");
  });
});

describe("the AES-256-GCM envelope", () => {
  const keyring = parseKeyring(keyringDoc([1]), "test");

  it("round-trips, naming its format and key version", () => {
    const stored = encryptSecret(keyring, new BoundedCounter(), binding, new Secret(CANARY));

    expect(stored).toMatch(/^pos1\.k1\./);
    expect(stored).not.toContain(CANARY);
    expect(keyVersionOf(stored)).toBe(1);
    expect(decryptSecret(keyring, binding, stored).use((p) => p)).toBe(CANARY);
  });

  it("uses a fresh nonce for every encryption", () => {
    const nonces = new Set(
      Array.from(
        { length: 200 },
        () =>
          encryptSecret(keyring, new BoundedCounter(), binding, new Secret(CANARY)).split(".")[2],
      ),
    );
    expect(nonces.size).toBe(200);
  });

  it.each([
    ["another org", { orgId: "org_b" }],
    ["another row", { rowId: "cred_2" }],
    ["another table", { table: "webhooks" }],
    ["another kind", { kind: "api_key" }],
    ["another field", { field: "username" }],
  ])("does not decrypt when copied to %s", (_label, change) => {
    const stored = encryptSecret(keyring, new BoundedCounter(), binding, new Secret(CANARY));

    expect(codeOf(() => decryptSecret(keyring, { ...binding, ...change }, stored))).toBe(
      "INTEGRITY_FAILED",
    );
  });

  it.each([
    ["the nonce", 2],
    ["the ciphertext", 3],
    ["the tag", 4],
  ])("fails closed when %s is altered", (_label, part) => {
    const parts = encryptSecret(keyring, new BoundedCounter(), binding, new Secret(CANARY)).split(
      ".",
    );
    const bytes = Buffer.from(parts[part] ?? "", "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    parts[part] = bytes.toString("base64url");

    expect(codeOf(() => decryptSecret(keyring, binding, parts.join(".")))).toBe("INTEGRITY_FAILED");
  });

  it.each([
    ["plaintext stored as is", CANARY],
    ["an empty value", ""],
    ["an unknown format", "pos2.k1.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA"],
    ["a key version the keyring lacks", "pos1.k9.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA"],
  ])("never hands back the stored bytes: %s", (_label, stored) => {
    let error: unknown;
    try {
      decryptSecret(keyring, binding, stored);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INTEGRITY_FAILED");
    if (stored !== "") expect((error as AppError).message).not.toContain(stored);
  });

  it("encrypts with the primary version and still reads the older ones", () => {
    const doc = JSON.parse(keyringDoc([1, 2], 1));
    const before = parseKeyring(JSON.stringify(doc), "test");
    const old = encryptSecret(before, new BoundedCounter(), binding, new Secret(CANARY));
    const after = parseKeyring(JSON.stringify({ ...doc, primary: 2 }), "test");

    const fresh = encryptSecret(after, new BoundedCounter(), binding, new Secret(CANARY));

    expect(keyVersionOf(old)).toBe(1);
    expect(keyVersionOf(fresh)).toBe(2);
    expect(decryptSecret(after, binding, old).use((p) => p)).toBe(CANARY);
  });

  it("stops a key version once it reaches its encryption limit", () => {
    const counter = new BoundedCounter(new Map([[1, 2]]), 3);

    encryptSecret(keyring, counter, binding, new Secret(CANARY));

    expect(counter.count(1)).toBe(3);
    expect(codeOf(() => encryptSecret(keyring, counter, binding, new Secret(CANARY)))).toBe(
      "UNAVAILABLE",
    );
  });
});

describe("the keyring", () => {
  it.each([
    [
      "a short key",
      { primary: 1, keys: [{ version: 1, key: randomBytes(16).toString("base64") }] },
    ],
    [
      "a repeated version",
      {
        primary: 1,
        keys: [1, 1].map((version) => ({ version, key: randomBytes(32).toString("base64") })),
      },
    ],
    [
      "a missing primary",
      { primary: 2, keys: [{ version: 1, key: randomBytes(32).toString("base64") }] },
    ],
    ["no keys", { primary: 1 }],
  ])("refuses %s without echoing key material", (_label, doc) => {
    let error: unknown;
    try {
      parseKeyring(JSON.stringify(doc), "test");
    } catch (caught) {
      error = caught;
    }
    expect((error as AppError).code).toBe("CONFIG_INVALID");
    for (const entry of (doc as { keys?: { key: string }[] }).keys ?? []) {
      expect((error as AppError).message).not.toContain(entry.key);
    }
  });

  it("reads a key file only its owner can read", () => {
    const path = join(mkdtempSync(join(tmpdir(), "partneros-keys-")), "master.keys");
    writeFileSync(path, keyringDoc([1, 2]));

    chmodSync(path, 0o644);
    expect(codeOf(() => keyringFromFile(path))).toBe("DATA_DIR_INSECURE");
    chmodSync(path, 0o600);
    expect(keyringFromFile(path).versions()).toEqual([1, 2]);
  });

  it("takes the keyring from a helper command, and hides what a failing one printed", async () => {
    const doc = keyringDoc([3]);
    const ok = await keyringFromCommand(process.execPath, [
      "-e",
      `process.stdout.write(${JSON.stringify(doc)})`,
    ]);
    expect(ok.primary).toBe(3);

    const failing = keyringFromCommand(process.execPath, [
      "-e",
      `console.error(${JSON.stringify(CANARY)}); process.exit(3)`,
    ]);
    await expect(failing).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(failing).rejects.not.toMatchObject({ message: expect.stringContaining(CANARY) });
  });
});
