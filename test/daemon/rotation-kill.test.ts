/**
 * Issue #4: a master-key rotation killed with SIGKILL part-way is finished by
 * the next run; every secret then opens to its original value with the
 * retired version gone from the key file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "../../core/secrets/envelope.ts";
import { keyringFromFile } from "../../core/secrets/keyring.ts";
import { Secret } from "../../core/secrets/secret.ts";
import { sharedCounter } from "../../core/secrets/usage.ts";
import { credentialBinding } from "../../core/services/credentials.ts";
import { openStore } from "../../core/store/store.ts";
import { cleanUpDaemons, preparedDataDir, spawnDaemon, startedUrl, stop } from "./processes.ts";

afterEach(cleanUpDaemons);

const ROWS = 12_000;

/** Partner orgs and sealed SMTP credentials written straight into the store. */
async function seedCredentials(dir: string): Promise<Map<string, string>> {
  const store = await openStore({ path: join(dir, "partneros.db") });
  const keyring = keyringFromFile(join(dir, "master.keys"));
  const counter = await sharedCounter(store);
  await counter.reserve(keyring.primary, ROWS);
  const now = new Date().toISOString();
  const orgs = ["org_killtesta000000000000", "org_killtestb000000000000"];
  const plaintexts = new Map<string, string>();
  await store.transaction(async (tx) => {
    for (const id of orgs) {
      await tx
        .insertInto("orgs")
        .values({
          id,
          slug: id.slice(4, 13),
          name: id,
          account_type: "partner",
          status: "active",
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    for (let start = 0; start < ROWS; start += 500) {
      const rows = [];
      for (let i = start; i < Math.min(start + 500, ROWS); i++) {
        const row = {
          id: `crd_kill${String(i).padStart(17, "0")}`,
          org_id: orgs[i % 2] ?? "",
          kind: "smtp" as const,
        };
        const password = `kill-test-password-${i}-${Math.random().toString(36).slice(2)}`;
        plaintexts.set(row.id, password);
        const sealed = encryptSecret(
          keyring,
          counter,
          credentialBinding(row, "password"),
          new Secret(password),
        );
        rows.push({
          ...row,
          name: `mail-${i}`,
          settings: JSON.stringify({ host: "smtp.example.test", port: 587, username: "u" }),
          secrets: JSON.stringify({ password: sealed }),
          key_version: keyring.primary,
          sealed_fields: 1,
          created_at: now,
          updated_at: now,
        });
      }
      await tx.insertInto("credentials").values(rows).execute();
    }
  });
  await store.close();
  return plaintexts;
}

async function call(url: string, token: string, method: string, path: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Starts a rotation and SIGKILLs the daemon once some, but not all, rows are re-sealed. */
async function killMidway(dir: string, token: string): Promise<{ resealed: number }> {
  const daemon = spawnDaemon(dir);
  const url = await startedUrl(daemon);
  const started = await call(url, token, "POST", "/v1/master-key/rotate");
  expect(started.status).toBe(202);
  for (;;) {
    const { body } = await call(url, token, "GET", "/v1/master-key");
    if (body.rotation.state !== "running") {
      throw new Error(`the rotation ended before it could be killed: ${JSON.stringify(body)}`);
    }
    if (body.rotation.resealed > 0) {
      daemon.child.kill("SIGKILL");
      const { signal } = await daemon.exited;
      expect(signal).toBe("SIGKILL");
      return { resealed: body.rotation.resealed };
    }
  }
}

async function versionCounts(dir: string): Promise<Map<number, number>> {
  const store = await openStore({ path: join(dir, "partneros.db") });
  const rows = await store.db
    .selectFrom("credentials")
    .select(["secrets", "key_version"])
    .execute();
  await store.close();
  const counts = new Map<number, number>();
  for (const row of rows) {
    const { password } = JSON.parse(row.secrets) as { password: string };
    const version = Number(/^pos1\.k(\d+)\./.exec(password)?.[1]);
    expect(version).toBe(row.key_version);
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return counts;
}

describe("a master-key rotation killed with SIGKILL", () => {
  it("is finished by the next run, and every secret opens without the retired key", async () => {
    const { dir, ownerToken } = await preparedDataDir();
    const plaintexts = await seedCredentials(dir);

    const first = await killMidway(dir, ownerToken);
    const afterKill = await versionCounts(dir);
    expect(keyringFromFile(join(dir, "master.keys")).primary).toBe(2);
    expect(afterKill.get(1)).toBeGreaterThan(0);
    expect(afterKill.get(2)).toBeGreaterThanOrEqual(first.resealed);

    // Killed a second time while finishing: the run after that still finishes.
    await killMidway(dir, ownerToken);

    const daemon = spawnDaemon(dir);
    const url = await startedUrl(daemon);
    const resumed = await call(url, ownerToken, "POST", "/v1/master-key/rotate");
    expect(resumed.body).toMatchObject({ toVersion: 2, resumed: true });
    let status = (await call(url, ownerToken, "GET", "/v1/master-key")).body;
    while (status.rotation.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call(url, ownerToken, "GET", "/v1/master-key")).body;
    }
    expect(status).toMatchObject({ primary: 2, pending: 0, rotation: { state: "done" } });
    const retired = await call(url, ownerToken, "POST", "/v1/master-key/versions/1/retire");
    expect(retired).toEqual({ status: 200, body: { version: 1, removedFromSource: true } });
    await stop(daemon);

    const keyring = keyringFromFile(join(dir, "master.keys"));
    expect(keyring.versions()).toEqual([2]);
    expect(await versionCounts(dir)).toEqual(new Map([[2, ROWS]]));
    const store = await openStore({ path: join(dir, "partneros.db") });
    const rows = await store.db
      .selectFrom("credentials")
      .select(["id", "org_id", "kind", "secrets"])
      .execute();
    await store.close();
    expect(rows).toHaveLength(ROWS);
    for (const row of rows) {
      const { password } = JSON.parse(row.secrets) as { password: string };
      const opened = decryptSecret(keyring, credentialBinding(row, "password"), password);
      expect(opened.use((value) => value)).toBe(plaintexts.get(row.id));
    }
    expect(readFileSync(join(dir, "master.keys"), "utf8")).not.toMatch(/"version": 1\b/);
  });
});
