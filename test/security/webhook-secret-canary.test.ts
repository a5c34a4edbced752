/**
 * Webhook signing secrets as canaries (issue #6). The daemon makes them, the
 * create and rotate answers show them once; every other surface — the log,
 * the audit records, list and show answers, error bodies, and the bytes of
 * the data dir — must hold no trace of them in any common encoding.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, expectErrorBody, expectStatus, type Tenant } from "./actors.ts";
import { type Canary, describeTraces, Evidence } from "./canary-scan.ts";

let world: World;
let partner: Tenant;
let token: string;
const canaries: Canary[] = [];
/** The raw key bytes behind each secret, looked for in binary files. */
const keyBytes: Buffer[] = [];
const evidence = new Evidence();
const ids: string[] = [];

/** A secret the daemon answered becomes a canary, with its bare base64 key as a second one. */
function remember(label: string, secret: string): void {
  const key = secret.slice("whsec_".length);
  canaries.push({ label, value: secret }, { label: `${label}, key part`, value: key });
  keyBytes.push(Buffer.from(key, "base64"));
}

beforeAll(async () => {
  world = await createWorld();
  partner = await createTenant(world, "wh-canary");
  token = (await createKey(world, partner.slug, { role: "partner_admin" })).token;

  for (let i = 0; i < 3; i++) {
    const res = await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: `https://93.184.216.34/canary-${i}`, eventTypes: ["event.sale"] },
    });
    expectStatus(res, 201);
    ids.push(res.body.webhook.id);
    remember(`the signing secret of endpoint ${i} at creation`, res.body.signingSecret);
  }
  for (const [grace, id] of [
    ["1h", ids[0]],
    ["0s", ids[1]],
    ["2h", ids[0]],
  ] as const) {
    const res = await world.request("POST", `/v1/webhooks/${id}/rotate-secret`, {
      token,
      body: { gracePeriod: grace },
    });
    expectStatus(res, 200);
    remember(`a signing secret issued by rotation (${grace})`, res.body.signingSecret);
  }
  const first = canaries[0]?.value ?? "";

  // Reads: every one must show masks only.
  const reads = [
    await world.request("GET", "/v1/webhooks", { token }),
    await world.request("GET", `/v1/webhooks?org=${partner.slug}`, { token: world.ownerToken }),
    ...(await Promise.all(ids.map((id) => world.request("GET", `/v1/webhooks/${id}`, { token })))),
    await world.request("PATCH", `/v1/webhooks/${ids[2]}`, {
      token,
      body: { description: "renamed", status: "disabled" },
    }),
  ];
  for (const res of reads) {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    evidence.add("the API responses", "a read", JSON.stringify(res.body));
  }

  // Refusals that carry a known secret in every part of the request.
  const refusals = [
    await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: `https://93.184.216.34/${first}`, eventTypes: [first] },
    }),
    await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: "https://10.0.0.1/in", eventTypes: ["event.sale"], description: first },
    }),
    await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: "https://192.0.2.1/in", eventTypes: ["event.sale"], [first]: 1 },
    }),
    await world.request("POST", "/v1/webhooks", {
      token,
      body: { url: `https://u:${encodeURIComponent(first)}@93.184.216.34/`, eventTypes: [] },
    }),
    await world.request("PATCH", `/v1/webhooks/${ids[0]}`, {
      token,
      body: { url: `http://93.184.216.34/?s=${encodeURIComponent(first)}` },
    }),
    await world.request("POST", `/v1/webhooks/${ids[0]}/rotate-secret`, {
      token,
      body: { gracePeriod: first },
    }),
    await world.request("POST", "/v1/webhooks", {
      token,
      body: `{"url": "${first}",`,
    }),
  ];
  for (const res of refusals) {
    expectErrorBody(res);
    evidence.add("the error bodies", `a ${res.status}`, JSON.stringify(res.body));
  }

  const audit = await world.store.db.selectFrom("audit_log").selectAll().execute();
  evidence.add("the audit records", "audit_log", JSON.stringify(audit));
  evidence.add("the daemon log", "pino lines", world.logs.join(""));
  for (const name of readdirSync(world.dir)) {
    evidence.add("the data dir", name, readFileSync(join(world.dir, name)));
  }
});

afterAll(async () => {
  await world?.close();
});

describe("a webhook signing secret", () => {
  it("was made six times, each one different", () => {
    const secrets = canaries.filter((c) => c.value.startsWith("whsec_")).map((c) => c.value);

    expect(secrets).toHaveLength(6);
    expect(new Set(secrets).size).toBe(6);
  });

  it.each([
    "the API responses",
    "the error bodies",
    "the audit records",
    "the daemon log",
    "the data dir",
  ])("leaves no trace in %s", (surface) => {
    expect(evidence.of(surface).length).toBeGreaterThan(0);

    const traces = evidence.scan(canaries, surface);

    expect(traces, describeTraces(traces)).toEqual([]);
  });

  it("leaves its key bytes nowhere in the data dir", () => {
    const found = evidence
      .of("the data dir")
      .flatMap(({ where, content }) =>
        keyBytes.filter((bytes) => Buffer.from(content).indexOf(bytes) !== -1).map(() => where),
      );

    expect(found).toEqual([]);
  });

  it("is stored sealed: every endpoint row holds pos1 ciphertexts only", async () => {
    const rows = await world.store.db.selectFrom("webhook_endpoints").selectAll().execute();

    const values = rows.flatMap((row) => Object.values(JSON.parse(row.secrets) as object));

    expect(values.length).toBeGreaterThanOrEqual(ids.length);
    expect(values.every((value) => typeof value === "string" && value.startsWith("pos1.k"))).toBe(
      true,
    );
  });
});
