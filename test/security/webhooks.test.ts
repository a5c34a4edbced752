/**
 * Webhook endpoints through the API (issue #6): registration refused for
 * destinations outside the public internet however they are written, the
 * signing secret shown once and masked after, rotation with a grace window
 * verified by the independent `standardwebhooks` package, input rules, the
 * per-org cap, operator scoping and the audit trail.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resolver } from "../../core/outbound/resolve.ts";
import { MAX_ENDPOINTS_PER_ORG } from "../../core/services/webhooks.ts";
import { openSigningSecrets } from "../../core/webhooks/endpoint-secrets.ts";
import { webhookHeaders } from "../../core/webhooks/signature.ts";
import { createWorld, type World } from "../harness.ts";
import {
  auditHead,
  auditSince,
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  named,
  type Tenant,
} from "./actors.ts";

const PUBLIC = "93.184.216.34";
const SECRET_TEXT = /^whsec_[A-Za-z0-9+/]{43}=$/;

/** Names the daemon resolves in this suite; any other fails like NXDOMAIN. */
const RECORDS: Record<string, string[]> = {
  "hooks.partner.example": [PUBLIC],
  "inward.partner.example": ["10.1.2.3"],
  "split.partner.example": [PUBLIC, "192.168.1.20"],
  "metadata.partner.example": ["169.254.169.254"],
  "hooks.corp.internal": ["10.20.30.40"],
};
const resolver: Resolver = async (host) => {
  const found = RECORDS[host];
  if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

let world: World;
let partner: Tenant;
let other: Tenant;
let admin: string;
let otherAdmin: string;

beforeAll(async () => {
  world = await createWorld({
    outboundAllow: ["hooks.corp.internal"],
    outboundResolve: resolver,
  });
  partner = await createTenant(world, "wh");
  other = await createTenant(world, "wh-other");
  admin = (await createKey(world, partner.slug, { role: "partner_admin" })).token;
  otherAdmin = (await createKey(world, other.slug, { role: "partner_admin" })).token;
});

afterAll(async () => {
  await world?.close();
});

function create(body: unknown, token = admin, query = "") {
  return world.request("POST", `/v1/webhooks${query}`, { token, body });
}

async function register(url = `https://${PUBLIC}/hook`, token = admin, query = "") {
  const res = await create({ url, eventTypes: ["event.sale"] }, token, query);
  expectStatus(res, 201);
  return res.body as { webhook: { id: string }; signingSecret: string };
}

function row(id: string) {
  return world.store.db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

function endpointCount() {
  return world.store.db
    .selectFrom("webhook_endpoints")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

/**
 * What a receiver holding `secret` makes of a delivery signed with the secrets
 * the row signs with at `at` (the message itself is stamped now, as a
 * receiver refuses timestamps far from its clock).
 */
async function receiverAccepts(id: string, secret: string, at = new Date()): Promise<boolean> {
  const now = new Date();
  const body = JSON.stringify({ type: "event.sale", timestamp: now.toISOString(), data: {} });
  const seconds = Math.floor(now.getTime() / 1000);
  const headers = webhookHeaders(
    openSigningSecrets(world.keyring, await row(id), at),
    "msg_test",
    seconds,
    body,
  );
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe("registration refuses a destination outside the public internet", () => {
  const rows: [string, string, string][] = [
    ["loopback", "https://127.0.0.1/", "private_address"],
    ["loopback, short", "https://127.1/", "private_address"],
    ["loopback, hex parts", "https://0x7f.1/", "private_address"],
    ["loopback, one hex number", "https://0x7f000001/", "private_address"],
    ["loopback, one decimal number", "https://2130706433/", "private_address"],
    ["loopback, one octal number", "https://017700000001/", "private_address"],
    ["loopback, octal first part", "https://0177.0.0.1/", "private_address"],
    ["IPv6 loopback", "https://[::1]/", "private_address"],
    ["IPv6 loopback, long", "https://[0:0:0:0:0:0:0:1]/", "private_address"],
    ["mapped loopback", "https://[::ffff:127.0.0.1]/", "private_address"],
    ["mapped loopback, hex", "https://[::ffff:7f00:1]/", "private_address"],
    ["compatible loopback", "https://[::127.0.0.1]/", "private_address"],
    ["localhost", "https://localhost/", "private_address"],
    ["0.0.0.0", "https://0.0.0.0/", "private_address"],
    ["[::]", "https://[::]/", "private_address"],
    ["10/8", "https://10.9.8.7/", "private_address"],
    ["172.16/12", "https://172.16.5.4/", "private_address"],
    ["192.168/16", "https://192.168.1.1/", "private_address"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data/", "private_address"],
    ["CGNAT", "https://100.64.0.1/", "private_address"],
    ["IPv6 link-local", "https://[fe80::1]/", "private_address"],
    ["fd00::/8", "https://[fd00::1]/", "private_address"],
    ["fc00::/8", "https://[fc00::1]/", "private_address"],
    ["multicast", "https://224.0.0.1/", "private_address"],
    ["broadcast", "https://255.255.255.255/", "private_address"],
    ["NAT64 of loopback", "https://[64:ff9b::7f00:1]/", "private_address"],
    ["6to4 of loopback", "https://[2002:7f00:1::]/", "private_address"],
    ["Teredo", "https://[2001::1]/", "private_address"],
    ["benchmarking", "https://198.18.0.1/", "private_address"],
    ["a trailing-dot name", "https://hooks.partner.example./", "invalid_host"],
    ["a name resolving inward", "https://inward.partner.example/", "private_address"],
    ["a name resolving to metadata", "https://metadata.partner.example/", "private_address"],
    ["a public and a private address", "https://split.partner.example/", "private_address"],
    ["an unresolvable name", "https://nowhere.partner.example/", "unresolved"],
    ["http to a public host", "http://hooks.partner.example/", "https_required"],
    ["userinfo", "https://user:pass@hooks.partner.example/", "userinfo"],
    ["a non-http scheme", "ftp://hooks.partner.example/", "scheme_not_allowed"],
    ["not absolute", "hooks.partner.example/in", "invalid_url"],
  ];

  it.each(named(rows, ([label, url]) => `${label} (${url})`))(
    "%s: 400 naming the refusal, and nothing is stored",
    async (_, [, url, reason]) => {
      const before = await endpointCount();

      const res = await create({ url, eventTypes: ["event.sale"] });

      expectErrorBody(res, "VALIDATION_FAILED");
      expect(res.body.error.message).toContain(`url: refused (${reason})`);
      expect(await endpointCount()).toBe(before);
    },
  );

  it("does not tell a partner what an inward name resolves to", async () => {
    const inward = await create({
      url: "https://inward.partner.example/",
      eventTypes: ["event.sale"],
    });
    const split = await create({
      url: "https://split.partner.example/",
      eventTypes: ["event.sale"],
    });

    expect(inward.body.error.message).not.toContain("10.1.2.3");
    expect(split.body.error.message).not.toContain("192.168.1.20");
    expect(split.body.error.message).not.toContain(PUBLIC);
  });

  it.each([
    ["https to a public name", "https://hooks.partner.example/in"],
    ["http to the allow-listed name, resolving privately", "http://hooks.corp.internal:8080/in"],
  ])("accepts %s", async (_label, url) => {
    const res = await create({ url, eventTypes: ["event.sale"] });

    expectStatus(res, 201);
    expect(res.body.webhook.url).toBe(url);
  });

  it("checks a changed URL the same way; a refused change leaves the row as it was", async () => {
    const { webhook } = await register();
    const before = await row(webhook.id);

    const res = await world.request("PATCH", `/v1/webhooks/${webhook.id}`, {
      token: admin,
      body: { url: "https://[::ffff:10.0.0.1]/", description: "moved" },
    });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toContain("url: refused (private_address)");
    expect(await row(webhook.id)).toEqual(before);
  });
});

describe("the signing secret", () => {
  it("is answered once at creation, sealed at rest, and masked on every read", async () => {
    const { webhook, signingSecret } = await register();

    const one = await world.request("GET", `/v1/webhooks/${webhook.id}`, { token: admin });
    const list = await world.request("GET", "/v1/webhooks", { token: admin });
    const stored = await row(webhook.id);

    expect(signingSecret).toMatch(SECRET_TEXT);
    expect(one.body.secret).toBe("whsec_••••");
    expect(JSON.stringify(one.body)).not.toContain(signingSecret);
    expect(JSON.stringify(list.body)).not.toContain(signingSecret);
    const masks = list.body.data.map((e: { secret: string }) => e.secret);
    expect(new Set(masks)).toEqual(new Set(["whsec_••••"]));
    expect(stored.secrets).not.toContain(signingSecret.slice(6));
    expect(Object.keys(JSON.parse(stored.secrets))).toEqual(["signing"]);
    expect(await receiverAccepts(webhook.id, signingSecret)).toBe(true);
  });

  it("differs between endpoints: one's does not verify another's deliveries", async () => {
    const first = await register();
    const second = await register();

    expect(first.signingSecret).not.toBe(second.signingSecret);
    expect(await receiverAccepts(second.webhook.id, first.signingSecret)).toBe(false);
  });

  it("moved to another endpoint's row fails closed instead of signing", async () => {
    const donor = await register();
    const victim = await register();
    const donorRow = await row(donor.webhook.id);
    await world.store.db
      .updateTable("webhook_endpoints")
      .set({ secrets: donorRow.secrets })
      .where("id", "=", victim.webhook.id)
      .execute();

    await expect(receiverAccepts(victim.webhook.id, donor.signingSecret)).rejects.toMatchObject({
      code: "INTEGRITY_FAILED",
    });
  });
});

describe("rotating the signing secret", () => {
  function rotate(id: string, body: unknown = {}) {
    return world.request("POST", `/v1/webhooks/${id}/rotate-secret`, { token: admin, body });
  }

  it("answers the new secret once; both verify for 24 h by default, then the new", async () => {
    const { webhook, signingSecret: old } = await register();

    const res = await rotate(webhook.id);

    expectStatus(res, 200);
    const fresh: string = res.body.signingSecret;
    expect(fresh).toMatch(SECRET_TEXT);
    expect(fresh).not.toBe(old);
    const expires = Date.parse(res.body.webhook.previousSecretExpiresAt);
    expect(Math.abs(expires - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    expect(await receiverAccepts(webhook.id, old)).toBe(true);
    expect(await receiverAccepts(webhook.id, fresh)).toBe(true);
    const after = new Date(expires + 1000);
    expect(await receiverAccepts(webhook.id, old, after)).toBe(false);
    expect(await receiverAccepts(webhook.id, fresh, after)).toBe(true);
    const shown = await world.request("GET", `/v1/webhooks/${webhook.id}`, { token: admin });
    expect(JSON.stringify(shown.body)).not.toContain(fresh);
  });

  it("with 0s drops the old secret at once", async () => {
    const { webhook, signingSecret: old } = await register();

    const res = await rotate(webhook.id, { gracePeriod: "0s" });

    expectStatus(res, 200);
    expect(res.body.webhook.previousSecretExpiresAt).toBeNull();
    expect(await receiverAccepts(webhook.id, old)).toBe(false);
    expect(await receiverAccepts(webhook.id, res.body.signingSecret)).toBe(true);
    expect(Object.keys(JSON.parse((await row(webhook.id)).secrets))).toEqual(["signing"]);
  });

  it("again inside a grace window replaces the previous with the then-current one", async () => {
    const { webhook, signingSecret: first } = await register();
    const second = (await rotate(webhook.id, { gracePeriod: "1h" })).body.signingSecret;

    const third = (await rotate(webhook.id, { gracePeriod: "1h" })).body.signingSecret;

    expect(await receiverAccepts(webhook.id, first)).toBe(false);
    expect(await receiverAccepts(webhook.id, second)).toBe(true);
    expect(await receiverAccepts(webhook.id, third)).toBe(true);
  });

  it.each([
    ["a grace period over 7 days", { gracePeriod: "8d" }],
    ["a grace period that is no duration", { gracePeriod: "soon" }],
  ])("refuses %s and keeps the secret", async (_label, body) => {
    const { webhook, signingSecret } = await register();
    const before = await row(webhook.id);

    const res = await rotate(webhook.id, body);

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(await row(webhook.id)).toEqual(before);
    expect(await receiverAccepts(webhook.id, signingSecret)).toBe(true);
  });
});

describe("endpoint fields", () => {
  it("stores event types sorted and once each", async () => {
    const res = await create({
      url: `https://${PUBLIC}/types`,
      eventTypes: ["event.sale", "event.click", "event.sale"],
    });

    expectStatus(res, 201);
    expect(res.body.webhook.eventTypes).toEqual(["event.click", "event.sale"]);
    expect((await row(res.body.webhook.id)).event_types).toBe('["event.click","event.sale"]');
  });

  it.each([
    ["no event type", { eventTypes: [] }],
    ["an unknown event type", { eventTypes: ["event.sale", "event.payout"] }],
    ["the test-send type", { eventTypes: ["webhook.test"] }],
    ["a description with a control character", { description: "line\u0007bell" }],
    ["a description with a direction override", { description: "safe\u202Eexe.txt" }],
    ["a description over 200 characters", { description: "x".repeat(201) }],
    ["a description with an unpaired surrogate", { description: "half \ud800" }],
    ["a field the API does not know", { secret: "whsec_mine" }],
  ])("refuses %s, and nothing is stored", async (_label, change) => {
    const before = await endpointCount();

    const res = await create({ url: `https://${PUBLIC}/x`, eventTypes: ["event.sale"], ...change });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(await endpointCount()).toBe(before);
  });

  it("can be disabled and enabled again; each change is audited without secrets", async () => {
    const { webhook, signingSecret } = await register(`https://${PUBLIC}/path?token=private`);

    const off = await world.request("PATCH", `/v1/webhooks/${webhook.id}`, {
      token: admin,
      body: { status: "disabled" },
    });
    const on = await world.request("PATCH", `/v1/webhooks/${webhook.id}`, {
      token: admin,
      body: { status: "enabled", eventTypes: ["event.refund"] },
    });

    expect(off.body).toMatchObject({ status: "disabled", disabledReason: "manual" });
    expect(on.body).toMatchObject({
      status: "enabled",
      disabledReason: null,
      eventTypes: ["event.refund"],
    });
    const records = await world.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("target_id", "=", webhook.id)
      .orderBy("seq")
      .execute();
    expect(records.map((r) => r.action)).toEqual([
      "webhook.created",
      "webhook.updated",
      "webhook.updated",
    ]);
    const details = records.map((r) => r.details).join("\n");
    expect(details).not.toContain(signingSecret);
    expect(details).not.toContain("token=private");
    expect(JSON.parse(records[0]?.details ?? "{}")).toEqual({
      host: PUBLIC,
      eventTypes: ["event.sale"],
    });
  });

  it("refuses a change that names nothing to change, and the row stays as it was", async () => {
    const { webhook } = await register();
    const before = await row(webhook.id);

    const res = await world.request("PATCH", `/v1/webhooks/${webhook.id}`, {
      token: admin,
      body: {},
    });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(await row(webhook.id)).toEqual(before);
  });

  it("removed, takes its row with it and answers 404 after", async () => {
    const { webhook } = await register();

    const removed = await world.request("DELETE", `/v1/webhooks/${webhook.id}`, { token: admin });
    const again = await world.request("GET", `/v1/webhooks/${webhook.id}`, { token: admin });

    expectStatus(removed, 204);
    expectErrorBody(again, "NOT_FOUND");
    const rows = await world.store.db
      .selectFrom("webhook_endpoints")
      .select("id")
      .where("id", "=", webhook.id)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe("the per-org cap", () => {
  it(`allows ${MAX_ENDPOINTS_PER_ORG} endpoints per org, then answers CONFLICT`, async () => {
    const capped = await createTenant(world, "wh-cap");
    const token = (await createKey(world, capped.slug, { role: "partner_admin" })).token;
    for (let i = 0; i < MAX_ENDPOINTS_PER_ORG; i++) await register(`https://${PUBLIC}/${i}`, token);

    const over = await create({ url: `https://${PUBLIC}/over`, eventTypes: ["event.sale"] }, token);
    const elsewhere = await create(
      { url: `https://${PUBLIC}/fine`, eventTypes: ["event.sale"] },
      otherAdmin,
    );

    expectErrorBody(over, "CONFLICT");
    expect(over.body.error.message).toContain(String(MAX_ENDPOINTS_PER_ORG));
    expectStatus(elsewhere, 201);
  });
});

describe("an operator", () => {
  it("without org manages the operator org's own endpoints, which no partner sees", async () => {
    const created = await create(
      { url: `https://${PUBLIC}/operator`, eventTypes: ["event.sale"], reason: "commissions" },
      world.ownerToken,
    );
    expectStatus(created, 201);
    const own = created.body as { webhook: { id: string } };

    const mine = await world.request("GET", "/v1/webhooks", { token: world.ownerToken });
    const theirs = await world.request("GET", "/v1/webhooks", { token: admin });
    const foreign = await world.request("GET", `/v1/webhooks/${own.webhook.id}`, { token: admin });

    expect(mine.body.data.map((e: { id: string }) => e.id)).toContain(own.webhook.id);
    expect(mine.body.data.every((e: { orgId: string }) => e.orgId === world.operatorOrgId)).toBe(
      true,
    );
    expect(theirs.body.data.map((e: { id: string }) => e.id)).not.toContain(own.webhook.id);
    expectErrorBody(foreign, "NOT_FOUND");
  });

  it("with org=<partner> manages that partner's endpoints, audited before the read", async () => {
    const { webhook } = await register();
    const seq = await auditHead(world);

    const res = await world.request("GET", `/v1/webhooks/${webhook.id}?org=${partner.slug}`, {
      token: world.ownerToken,
    });

    expectStatus(res, 200);
    expect(res.body.orgId).toBe(partner.id);
    const accessed = await auditSince(world, seq);
    expect(accessed.map((r) => [r.action, r.org_id, JSON.parse(r.details)])).toEqual([
      ["partner_data.accessed", partner.id, { operation: "getWebhook" }],
    ]);
  });

  it("naming one partner does not reach another partner's endpoint", async () => {
    const { webhook } = await register(`https://${PUBLIC}/other`, otherAdmin);

    const res = await world.request("GET", `/v1/webhooks/${webhook.id}?org=${partner.slug}`, {
      token: world.ownerToken,
    });

    expectErrorBody(res, "NOT_FOUND");
  });
});
