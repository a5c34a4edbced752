import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encryptSecret } from "../../core/secrets/envelope.ts";
import { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import { Secret } from "../../core/secrets/secret.ts";
import { PersistedCounter } from "../../core/secrets/usage.ts";
import { openStore, type Store } from "../../core/store/store.ts";

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(path: string): Promise<Store> {
  const store = await openStore({ path });
  stores.push(store);
  return store;
}

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "partneros-usage-"));
  dirs.push(dir);
  return join(dir, "partneros.db");
}

async function stored(store: Store, version: number): Promise<number> {
  const row = await store.db
    .selectFrom("master_key_usage")
    .select("encryptions")
    .where("version", "=", version)
    .executeTakeFirst();
  return Number(row?.encryptions ?? 0);
}

const binding = { orgId: "org_1", table: "t", rowId: "r", kind: "k", field: "f" };

describe("PersistedCounter", () => {
  it("keeps its counts across a reopen, counting a crashed block as spent", async () => {
    const path = dbPath();
    const first = await open(path);
    const counter = await PersistedCounter.load(first, { block: 4 });
    for (let i = 0; i < 5; i++) {
      await counter.reserve(1);
      counter.record(1);
    }
    await first.close();
    stores.splice(stores.indexOf(first), 1);

    const reopened = await PersistedCounter.load(await open(path), { block: 4 });

    expect(reopened.count(1)).toBe(8);
  });

  it("never lets the stored count fall below the encryptions done", async () => {
    const store = await open(dbPath());
    const counter = await PersistedCounter.load(store, { block: 3 });
    const keyring = LiveKeyring.ephemeral().keyring;

    for (let done = 1; done <= 10; done++) {
      await counter.reserve(keyring.primary);
      encryptSecret(keyring, counter, binding, new Secret("value"));
      expect(await stored(store, keyring.primary)).toBeGreaterThanOrEqual(done);
    }
  });

  it("refuses to record without a reservation", async () => {
    const counter = await PersistedCounter.load(await open(dbPath()));

    expect(() => counter.record(1)).toThrow(/no encryption reserved/);
  });

  it("stops encryptions at the limit", async () => {
    const store = await open(dbPath());
    const counter = await PersistedCounter.load(store, { limit: 5, block: 2 });
    for (let i = 0; i < 5; i++) {
      await counter.reserve(1);
      counter.record(1);
    }

    await expect(counter.reserve(1)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(() => counter.record(1)).toThrow(/rotate the master key/);
    expect(await stored(store, 1)).toBe(5);
  });
});
