/**
 * Master-key rotation (issue #4): every stored secret is re-sealed under a new
 * primary while the API keeps answering, a stopped run is finished by the
 * next one, and a version is retired only once nothing uses it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Authenticator } from "../../core/auth.ts";
import { keyVersionOf } from "../../core/secrets/envelope.ts";
import { newKeyringDocument, parseKeyring } from "../../core/secrets/keyring.ts";
import { fileKeySource, LiveKeyring } from "../../core/secrets/live-keyring.ts";
import type { ServiceContext } from "../../core/services/context.ts";
import { useCredential } from "../../core/services/credentials.ts";
import { KeyRotation } from "../../core/services/key-rotation.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, expectStatus, type Tenant } from "../security/actors.ts";

let world: World;
let a: Tenant;
let b: Tenant;
let aToken: string;
let bToken: string;

beforeEach(async () => {
  world = await createWorld({ rotationBatchSize: 7 });
  a = await createTenant(world, "rot-a");
  b = await createTenant(world, "rot-b");
  aToken = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  bToken = (await createKey(world, b.slug, { role: "partner_admin" })).token;
});

afterEach(async () => {
  await world.close();
});

const plaintexts = new Map<string, Record<string, string>>();
/** The token of the org that owns each seeded credential. */
const owners = new Map<string, string>();

/** Stores an SMTP or OAuth credential through the API and remembers its plaintexts. */
async function seed(token: string, name: string, oauth = false): Promise<string> {
  const secrets: Record<string, string> = oauth
    ? { accessToken: `access-${name}-${Math.random()}`, clientSecret: `client-${name}` }
    : { password: `password-${name}-${Math.random()}` };
  const body = oauth
    ? { name, kind: "oauth", settings: { tokenUrl: "https://id.example.test", clientId: "c" } }
    : {
        name,
        kind: "smtp",
        settings: { host: "smtp.example.test", port: 587, username: "u", tlsMode: "starttls" },
      };
  const res = await world.request("POST", "/v1/credentials", {
    token,
    body: { ...body, secrets },
  });
  expectStatus(res, 201);
  plaintexts.set(res.body.id, secrets);
  owners.set(res.body.id, token);
  return res.body.id;
}

async function seedMany(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await seed(i % 2 ? aToken : bToken, `cred-${i}`, i % 3 === 0));
  }
  return ids;
}

function contextFor(token: string): ServiceContext {
  const actor = new Authenticator(world.store, () => undefined).authenticate(token);
  return { store: world.store, actor, requestId: null, clientAddr: null };
}

/** Opens a credential as its own org would at the moment of use. */
async function open(token: string, id: string): Promise<Record<string, string>> {
  const ctx = contextFor(token);
  const scope = await resolvePartnerScope(ctx, undefined, "test");
  return useCredential(ctx, world.keys, scope, id, ({ secrets }) =>
    Object.fromEntries(Object.entries(secrets).map(([f, s]) => [f, s.use((v) => v)])),
  );
}

async function expectAllOpen(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    expect(await open(owners.get(id) ?? "", id)).toEqual(plaintexts.get(id));
  }
}

/** The key version of every stored ciphertext, read from the values themselves. */
async function storedVersions(): Promise<number[]> {
  const rows = await world.store.db.selectFrom("credentials").select("secrets").execute();
  return rows.flatMap((row) =>
    Object.values(JSON.parse(row.secrets) as Record<string, string>).map(
      (value) => keyVersionOf(value) ?? -1,
    ),
  );
}

async function status() {
  const res = await world.request("GET", "/v1/master-key", { token: world.ownerToken });
  expectStatus(res, 200);
  return res.body;
}

async function rotate() {
  const res = await world.request("POST", "/v1/master-key/rotate", { token: world.ownerToken });
  expectStatus(res, 202);
  return res.body;
}

const retire = (version: number) =>
  world.request("POST", `/v1/master-key/versions/${version}/retire`, {
    token: world.ownerToken,
  });

describe("master-key rotation", () => {
  it("re-seals every stored secret under a new primary, each opening to its value", async () => {
    const ids = await seedMany(30);
    expect(new Set(await storedVersions())).toEqual(new Set([1]));

    const started = await rotate();
    expect(started).toMatchObject({ state: "running", toVersion: 2, resumed: false });
    const done = await world.rotation.settled();

    expect(done).toMatchObject({ state: "done", toVersion: 2, resealed: 30, failed: [] });
    expect(new Set(await storedVersions())).toEqual(new Set([2]));
    const after = await status();
    expect(after.primary).toBe(2);
    expect(after.pending).toBe(0);
    expect(after.versions).toEqual([
      expect.objectContaining({ version: 1, primary: false, ciphertexts: 0 }),
      expect.objectContaining({ version: 2, primary: true, ciphertexts: 40 }),
    ]);
    await expectAllOpen(ids);
  });

  it("keeps answering reads and writes between its batches", async () => {
    const ids = await seedMany(40);

    await rotate();
    const during: number[] = [];
    let written = 0;
    while (world.rotation.progress().state === "running") {
      // Requests reach a daemon as I/O events, between which its batches run.
      await new Promise((resolve) => setImmediate(resolve));
      const res = await world.request("GET", `/v1/credentials/${ids[1]}`, { token: aToken });
      during.push(res.status);
      ids.push(await seed(aToken, `during-${written++}`));
      ids.push(await seed(bToken, `during-${written++}`));
    }
    await world.rotation.settled();

    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during)).toEqual(new Set([200]));
    expect(new Set(await storedVersions())).toEqual(new Set([2]));
    expect(ids.length).toBeGreaterThan(40);
    await expectAllOpen(ids);
  });

  it("finishes a stopped run under the same primary instead of making another", async () => {
    const ids = await seedMany(40);
    await rotate();
    await world.rotation.stop();
    const stopped = world.rotation.progress();
    expect(stopped.state).toBe("stopped");
    const midway = await status();
    expect(midway.pending).toBeGreaterThan(0);

    const resumed = await rotate();
    expect(resumed).toMatchObject({ toVersion: 2, resumed: true });
    expect(await world.rotation.settled()).toMatchObject({ state: "done" });

    expect((await status()).versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(new Set(await storedVersions())).toEqual(new Set([2]));
    await expectAllOpen(ids);
  });

  it("reports a run already under way instead of starting a second", async () => {
    await seedMany(20);
    const [first, second] = await Promise.all([rotate(), rotate()]);
    expect(first.toVersion).toBe(2);
    expect(second.toVersion).toBe(2);
    await world.rotation.settled();
    expect((await status()).versions).toHaveLength(2);
  });

  it("leaves a tampered row as it is, names it, and re-seals all the others", async () => {
    const ids = await seedMany(10);
    const [victim, donor] = [ids[2] ?? "", ids[4] ?? ""];
    const donorRow = await world.store.db
      .selectFrom("credentials")
      .select("secrets")
      .where("id", "=", donor)
      .executeTakeFirstOrThrow();
    await world.store.db
      .updateTable("credentials")
      .set({ secrets: donorRow.secrets })
      .where("id", "=", victim)
      .execute();

    await rotate();
    const ended = await world.rotation.settled();

    expect(ended).toMatchObject({ state: "failed", resealed: 9, failed: [victim] });
    expect((await status()).pending).toBe(1);
    const refused = await retire(1);
    expectStatus(refused, 409);
    await expectAllOpen(ids.filter((id) => id !== victim));
  });
});

describe("master-key retirement", () => {
  it("refuses the primary and a version still in use, then retires it once unused", async () => {
    const ids = await seedMany(12);
    expectStatus(await retire(1), 409);

    await rotate();
    await world.rotation.stop();
    const early = await retire(1);
    expectStatus(early, 409);
    expect(early.body.error.code).toBe("CONFLICT");
    expectStatus(await retire(2), 409);

    await rotate();
    await world.rotation.settled();
    const retired = await retire(1);
    expectStatus(retired, 200);
    expect(retired.body).toEqual({ version: 1, removedFromSource: true });

    const after = await status();
    expect(after.retired).toEqual([1]);
    expect(after.versions.map((v: { version: number }) => v.version)).toEqual([2]);
    expect(world.keyring.versions()).toEqual([2]);
    await expectAllOpen(ids);
  });

  it("answers 404 for a version the keyring does not hold", async () => {
    const res = await retire(42);
    expectStatus(res, 404);
  });

  it("makes a value sealed under the retired version fail its integrity check", async () => {
    const [id = ""] = await seedMany(1);
    const old = await world.store.db
      .selectFrom("credentials")
      .select(["secrets", "key_version"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    await rotate();
    await world.rotation.settled();
    expectStatus(await retire(1), 200);

    // An attacker (or a restored backup) writes the old ciphertext back.
    await world.store.db.updateTable("credentials").set(old).where("id", "=", id).execute();
    await expect(open(bToken, id)).rejects.toMatchObject({ code: "INTEGRITY_FAILED" });
  });

  it("audits the start, the end and the retirement without any key material", async () => {
    await seedMany(3);
    await rotate();
    await world.rotation.settled();
    expectStatus(await retire(1), 200);

    const rows = await world.store.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("action", "like", "master_key.%")
      .orderBy("seq")
      .execute();
    expect(rows.map((row) => row.action)).toEqual([
      "master_key.rotation_started",
      "master_key.rotated",
      "master_key.retired",
    ]);
    const keyMaterial = [1, 2].flatMap((v) => {
      const key = world.keys.keyring.versions().includes(v) ? world.keyring.keyFor(v) : undefined;
      return key ? [key.toString("base64"), key.toString("hex")] : [];
    });
    for (const row of rows) {
      for (const key of keyMaterial) expect(row.details).not.toContain(key);
    }
  });

  it("is the owner's alone", async () => {
    const res = await world.request("POST", "/v1/master-key/rotate", { token: aToken });
    expectStatus(res, 403);
    expect((await status()).versions).toHaveLength(1);
  });
});

describe("a key file as the key source", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "partneros-keys-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gains the new version on disk, owner-only, before use, and loses a retired one", async () => {
    const path = join(dir, "master.keys");
    writeFileSync(path, newKeyringDocument(), { mode: 0o600 });
    const keys = await LiveKeyring.open(fileKeySource(path));
    const firstKey = keys.keyring.keyFor(1).toString("base64");

    expect(await keys.advance()).toEqual({ primary: 2, created: true });
    const onDisk = parseKeyring(readFileSync(path, "utf8"), path);
    expect(onDisk.primary).toBe(2);
    expect(onDisk.versions()).toEqual([1, 2]);
    expect(onDisk.keyFor(1).toString("base64")).toBe(firstKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    await keys.retire(1);
    const pruned = parseKeyring(readFileSync(path, "utf8"), path);
    expect(pruned.versions()).toEqual([2]);
    expect(readFileSync(path, "utf8")).not.toContain(firstKey);
  });

  it("refuses to make a version where the source is read-only and nothing is pending", async () => {
    const document = newKeyringDocument();
    const keys = await LiveKeyring.open({
      description: "PARTNEROS_MASTER_KEYS",
      load: () => Promise.resolve(parseKeyring(document, "env")),
    });
    const rotation = new KeyRotation(world.store, keys);
    const ctx = contextFor(world.ownerToken);
    await expect(rotation.start(ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(keys.keyring.primary).toBe(1);
  });

  it("keeps a version the store retired out of the keyring, whatever its source", async () => {
    const path = join(dir, "master.keys");
    const two = JSON.parse(newKeyringDocument()) as { keys: { version: number }[] };
    const first = JSON.parse(newKeyringDocument()) as { keys: { version: number; key: string }[] };
    const document = {
      primary: 2,
      keys: [
        { ...first.keys[0], version: 1 },
        { ...two.keys[0], version: 2 },
      ],
    };
    writeFileSync(path, JSON.stringify(document), { mode: 0o600 });

    const keys = await LiveKeyring.open(fileKeySource(path), [1]);
    expect(keys.keyring.versions()).toEqual([2]);
    expect(() => keys.keyring.keyFor(1)).toThrow(/retired/);
    await expect(LiveKeyring.open(fileKeySource(path), [2])).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
