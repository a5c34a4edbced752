/**
 * Operator endpoints are program-wide subscriptions: they receive the events
 * of every partner, so registering one is a standing read across partners.
 * It needs cross_partner.read and a reason, which the audit record keeps;
 * partners' own endpoints still receive only their own org's events, and no
 * partner can reach the operator's endpoints or deliveries.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { eventBody } from "../support/events.ts";
import { type Receiver, startReceiver, verifies } from "../support/webhooks.ts";
import { createKey, createTenant, expectErrorBody, expectStatus, type Tenant } from "./actors.ts";

let world: World;
let receiver: Receiver;
let a: Tenant;
let b: Tenant;
let aToken: string;
let bToken: string;

beforeAll(async () => {
  world = await createWorld({ outboundAllow: ["127.0.0.1"], delivery: { jitter: 0 } });
  receiver = await startReceiver();
  a = await createTenant(world, "program-a");
  b = await createTenant(world, "program-b");
  aToken = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  bToken = (await createKey(world, b.slug, { role: "partner_admin" })).token;
});

afterAll(async () => {
  await world?.close();
  await receiver?.close();
});

beforeEach(() => {
  receiver.received.length = 0;
});

const hook = (path: string) => `${receiver.url}/${path}`;

function register(token: string, body: Record<string, unknown>) {
  return world.request("POST", "/v1/webhooks", {
    token,
    body: { eventTypes: ["event.sale"], ...body },
  });
}

async function lastAudit(action: string) {
  return world.store.db
    .selectFrom("audit_log")
    .select(["details", "org_id"])
    .where("action", "=", action)
    .orderBy("seq", "desc")
    .executeTakeFirstOrThrow();
}

describe("an operator endpoint", () => {
  it("is refused without a reason, and changes nothing", async () => {
    const before = await world.request("GET", "/v1/webhooks", { token: world.ownerToken });

    const res = await register(world.ownerToken, { url: hook("no-reason") });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toContain("reason");
    const after = await world.request("GET", "/v1/webhooks", { token: world.ownerToken });
    expect(after.body.data).toHaveLength(before.body.data.length);
  });

  it("is out of reach, for every operation, of an operator who may not read across partners", async () => {
    const program = await register(world.ownerToken, { url: hook("guarded"), reason: "ledger" });
    const id: string = program.body.webhook.id;
    const key = await createKey(world, world.operatorOrgId, {
      role: "admin",
      scopes: ["webhooks.read", "webhooks.write"],
    });
    const as = (method: string, path: string, body?: unknown) =>
      world.request(method, path, { token: key.token, ...(body ? { body } : {}) });

    const answers = [
      await register(key.token, { url: hook("no-grant"), reason: "commissions" }),
      await as("GET", "/v1/webhooks"),
      await as("GET", `/v1/webhooks/${id}`),
      await as("POST", `/v1/webhooks/${id}/rotate-secret`, { gracePeriod: "0s" }),
      await as("GET", `/v1/webhooks/${id}/deliveries`),
      await as("POST", `/v1/webhooks/${id}/test`),
      await as("DELETE", `/v1/webhooks/${id}`),
    ];

    for (const res of answers) expectErrorBody(res, "FORBIDDEN");
    const still = await world.request("GET", `/v1/webhooks/${id}`, { token: world.ownerToken });
    expectStatus(still, 200);
    const rotated = await world.store.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "webhook.secret_rotated")
      .where("target_id", "=", id)
      .execute();
    expect(rotated).toHaveLength(0);
  });

  it("receives every partner's events, each partner's own endpoint only its own", async () => {
    const program = await register(world.ownerToken, {
      url: hook("program"),
      reason: "commission engine",
    });
    expectStatus(program, 201);
    const audit = await lastAudit("webhook.created");
    expect(audit.org_id).toBe(world.operatorOrgId);
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "commission engine" });
    const own = await register(bToken, { url: hook("partner-b") });
    expectStatus(own, 201);

    const fromA = await world.request("POST", "/v1/events", {
      token: aToken,
      body: eventBody("sale"),
    });
    const fromB = await world.request("POST", "/v1/events", {
      token: bToken,
      body: eventBody("sale"),
    });
    expectStatus(fromA, 201);
    expectStatus(fromB, 201);
    await world.deliveries.drain();

    const at = (path: string) =>
      receiver.received.filter((r) => r.path === `/hook/${path}`).map((r) => JSON.parse(r.body));
    expect(
      at("program")
        .map((m) => m.data.id)
        .sort(),
    ).toEqual([fromA.body.id, fromB.body.id].sort());
    expect(
      at("program")
        .map((m) => m.data.orgId)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(at("partner-b").map((m) => m.data.id)).toEqual([fromB.body.id]);
    const programSecret: string = program.body.signingSecret;
    for (const request of receiver.received.filter((r) => r.path === "/hook/program")) {
      expect(verifies(programSecret, request)).toBe(true);
    }

    // Its deliveries are the operator org's: no partner reaches them.
    const listed = await world.request(
      "GET",
      `/v1/webhooks/${program.body.webhook.id}/deliveries`,
      { token: world.ownerToken },
    );
    expect(listed.body.data).toHaveLength(2);
    const foreign = await world.request("GET", `/v1/webhook-deliveries/${listed.body.data[0].id}`, {
      token: aToken,
    });
    expectErrorBody(foreign, "NOT_FOUND");
  });

  it("needs a reason again to change where or what it receives, not to be described", async () => {
    const created = await register(world.ownerToken, { url: hook("patch"), reason: "audit feed" });
    const id: string = created.body.webhook.id;

    const moved = await world.request("PATCH", `/v1/webhooks/${id}`, {
      token: world.ownerToken,
      body: { url: hook("elsewhere") },
    });
    const described = await world.request("PATCH", `/v1/webhooks/${id}`, {
      token: world.ownerToken,
      body: { description: "the commission engine" },
    });
    const movedWithReason = await world.request("PATCH", `/v1/webhooks/${id}`, {
      token: world.ownerToken,
      body: { url: hook("elsewhere"), reason: "moved to the new engine" },
    });

    expectErrorBody(moved, "VALIDATION_FAILED");
    expectStatus(described, 200);
    expectStatus(movedWithReason, 200);
    const audit = await lastAudit("webhook.updated");
    expect(JSON.parse(audit.details)).toMatchObject({
      reason: "moved to the new engine",
      fields: ["url"],
    });
  });

  it("takes no reason from a partner, whose endpoints see their own org only", async () => {
    const res = await register(aToken, { url: hook("partner-a"), reason: "ignored" });

    expectStatus(res, 201);
    expect(JSON.parse((await lastAudit("webhook.created")).details)).not.toHaveProperty("reason");
  });
});
