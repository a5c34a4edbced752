/**
 * Master-key upkeep covers webhook signing secrets (issue #6): status counts
 * them, rotation re-seals them (the previous secret of a grace window too),
 * and retirement reads them before it lets a version go.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyVersionOf } from "../../core/secrets/envelope.ts";
import { openSigningSecrets } from "../../core/webhooks/endpoint-secrets.ts";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, expectStatus, type Tenant } from "../security/actors.ts";

let world: World;
let partner: Tenant;
let token: string;
/** Secrets as each endpoint's receiver holds them: current first, then previous. */
const issued = new Map<string, string[]>();

beforeEach(async () => {
  issued.clear();
  world = await createWorld({ rotationBatchSize: 3 });
  partner = await createTenant(world, "wh-rot");
  token = (await createKey(world, partner.slug, { role: "partner_admin" })).token;
});

afterEach(async () => {
  await world.close();
});

async function register(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: `https://93.184.216.34/hook-${i}`, eventTypes: ["event.sale"] },
    });
    expectStatus(res, 201);
    ids.push(res.body.webhook.id);
    issued.set(res.body.webhook.id, [res.body.signingSecret]);
  }
  return ids;
}

async function rotateSecret(id: string, gracePeriod: string): Promise<void> {
  const res = await world.request("POST", `/v1/webhooks/${id}/rotate-secret`, {
    token,
    body: { gracePeriod },
  });
  expectStatus(res, 200);
  issued.set(id, [res.body.signingSecret, ...(issued.get(id) ?? []).slice(0, 1)]);
}

function endpointRows() {
  return world.store.db.selectFrom("webhook_endpoints").selectAll().orderBy("id").execute();
}

async function storedVersions(): Promise<number[]> {
  return (await endpointRows()).flatMap((row) =>
    Object.values(JSON.parse(row.secrets) as Record<string, string>).map(
      (value) => keyVersionOf(value) ?? -1,
    ),
  );
}

/** Every endpoint's secrets opened with the keyring as it stands, as a delivery would. */
async function openedSecrets(): Promise<Map<string, string[]>> {
  const opened = new Map<string, string[]>();
  for (const row of await endpointRows()) {
    const secrets = openSigningSecrets(world.keyring, row, new Date());
    opened.set(
      row.id,
      secrets.map((secret) => secret.use((text) => text)),
    );
  }
  return opened;
}

async function status() {
  const res = await world.request("GET", "/v1/master-key", { token: world.ownerToken });
  expectStatus(res, 200);
  return res.body;
}

async function rotateMasterKey() {
  expectStatus(
    await world.request("POST", "/v1/master-key/rotate", { token: world.ownerToken }),
    202,
  );
}

const retire = (version: number) =>
  world.request("POST", `/v1/master-key/versions/${version}/retire`, { token: world.ownerToken });

describe("master-key upkeep of webhook signing secrets", () => {
  it("counts them in the status, the previous secret of a grace window included", async () => {
    const ids = await register(4);
    await rotateSecret(ids[0] ?? "", "1h");
    await rotateSecret(ids[1] ?? "", "0s");

    const now = await status();

    expect(now.versions).toEqual([expect.objectContaining({ version: 1, ciphertexts: 5 })]);
    expect(new Set(await storedVersions())).toEqual(new Set([1]));
  });

  it("re-seals all under the new primary; they open once the old one is retired", async () => {
    const ids = await register(8);
    await rotateSecret(ids[2] ?? "", "2h");
    await rotateSecret(ids[5] ?? "", "2h");

    await rotateMasterKey();
    const done = await world.rotation.settled();

    expect(done).toMatchObject({ state: "done", toVersion: 2, resealed: 8, failed: [] });
    expect(await storedVersions()).toHaveLength(10);
    expect(new Set(await storedVersions())).toEqual(new Set([2]));
    expect((await status()).pending).toBe(0);
    expectStatus(await retire(1), 200);
    expect(world.keyring.versions()).toEqual([2]);
    expect(await openedSecrets()).toEqual(issued);
  });

  it("refuses retirement while a stopped rotation left secrets under the old version", async () => {
    await register(10);

    await rotateMasterKey();
    await world.rotation.stop();
    const midway = await status();
    const refused = await retire(1);

    expect(midway.pending).toBeGreaterThan(0);
    expectStatus(refused, 409);
    expect(refused.body.error.message).toMatch(/still use version 1/);
  });

  it("refuses retirement by reading the values, whatever the version column says", async () => {
    const [id] = await register(3);
    const before = await world.store.db
      .selectFrom("webhook_endpoints")
      .select("secrets")
      .where("id", "=", id ?? "")
      .executeTakeFirstOrThrow();
    await rotateMasterKey();
    await world.rotation.settled();
    // The row claims version 2 but holds its old value, sealed under version 1.
    await world.store.db
      .updateTable("webhook_endpoints")
      .set({ secrets: before.secrets, key_version: 2 })
      .where("id", "=", id ?? "")
      .execute();

    const refused = await retire(1);

    expect((await status()).pending).toBe(0);
    expectStatus(refused, 409);
    expect(refused.body.error.message).toMatch(/^1 stored ciphertexts still use version 1/);
    expect(world.keyring.versions()).toEqual([1, 2]);
  });

  it("leaves an endpoint holding another row's secret as it is, and names it", async () => {
    const [victim, donor] = await register(4);
    const donorRow = await world.store.db
      .selectFrom("webhook_endpoints")
      .select("secrets")
      .where("id", "=", donor ?? "")
      .executeTakeFirstOrThrow();
    await world.store.db
      .updateTable("webhook_endpoints")
      .set({ secrets: donorRow.secrets })
      .where("id", "=", victim ?? "")
      .execute();

    await rotateMasterKey();
    const ended = await world.rotation.settled();

    expect(ended).toMatchObject({ state: "failed", resealed: 3, failed: [victim] });
    expectStatus(await retire(1), 409);
  });
});
