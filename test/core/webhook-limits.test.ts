/**
 * Limits around delivery found by the outside trial: a suspended org's
 * deliveries wait until it is resumed, test-sends share the worker's slots
 * (a burst is refused 429 instead of opening more connections), and a
 * test-send is never replayed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { partnerData } from "../../core/tenancy/partner-data.ts";
import { createWorld, type World } from "../harness.ts";
import {
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  type Tenant,
} from "../security/actors.ts";
import {
  insertEndpoint,
  queue,
  type Receiver,
  scopeOf,
  startReceiver,
} from "../support/webhooks.ts";

let world: World;
let receiver: Receiver;
let tenant: Tenant;
let token: string;

beforeAll(async () => {
  world = await createWorld({
    outboundAllow: ["127.0.0.1"],
    delivery: { concurrency: 1, jitter: 0, timeoutMs: 2000 },
  });
  receiver = await startReceiver();
});

afterAll(async () => {
  await world?.close();
  await receiver?.close();
});

beforeEach(async () => {
  receiver.received.length = 0;
  receiver.reply = () => ({ status: 200 });
  tenant = await createTenant(world, "limits");
  token = (await createKey(world, tenant.slug, { role: "partner_admin" })).token;
});

const deliveries = (endpointId: string) =>
  partnerData(world.store.db, scopeOf(tenant.id))
    .webhookDeliveries()
    .selectAll()
    .where("endpoint_id", "=", endpointId)
    .execute();

describe("a suspended org", () => {
  it("keeps its deliveries pending, and gets them once resumed", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    await queue(world.store, tenant.id, [{ type: "event.sale", data: { n: 1 } }]);
    const suspend = await world.request("POST", `/v1/tenants/${tenant.slug}/suspend`, {
      token: world.ownerToken,
    });
    expectStatus(suspend, 200);

    await world.deliveries.drain();
    const held = await deliveries(endpoint.id);
    const test = await world.request(
      "POST",
      `/v1/webhooks/${endpoint.id}/test?org=${tenant.slug}`,
      {
        token: world.ownerToken,
      },
    );

    expect(receiver.received).toHaveLength(0);
    expect(held.map((d) => d.status)).toEqual(["pending"]);
    expectErrorBody(test, "ORG_SUSPENDED");

    await world.request("POST", `/v1/tenants/${tenant.slug}/resume`, { token: world.ownerToken });
    await world.deliveries.drain();
    expect(receiver.received).toHaveLength(1);
    expect((await deliveries(endpoint.id)).map((d) => d.status)).toEqual(["succeeded"]);
  });
});

describe("the queue", () => {
  it("takes turns between orgs: one org's backlog does not hold up another's", async () => {
    const other = await createTenant(world, "limits-other");
    const busy = await insertEndpoint(world.store, world.keyring, tenant.id, `${receiver.url}/a`);
    const quiet = await insertEndpoint(world.store, world.keyring, other.id, `${receiver.url}/b`);
    const older = new Date(Date.now() - 60_000).toISOString();
    await queue(
      world.store,
      tenant.id,
      Array.from({ length: 5 }, (_, n) => ({ type: "event.sale", data: { n } })),
      older,
    );
    await queue(world.store, other.id, [{ type: "event.sale", data: { n: 0 } }]);

    // One slot: each round claims one delivery.
    await world.deliveries.drain();

    const order = receiver.received.map((r) => r.path);
    expect(order).toHaveLength(6);
    expect(order.indexOf("/hook/b")).toBe(1);
    expect((await deliveries(busy.id)).every((d) => d.status === "succeeded")).toBe(true);
    const quietDeliveries = await partnerData(world.store.db, scopeOf(other.id))
      .webhookDeliveries()
      .select("status")
      .where("endpoint_id", "=", quiet.id)
      .execute();
    expect(quietDeliveries).toEqual([{ status: "succeeded" }]);
  });
});

describe("test-sends", () => {
  it("wait for a free slot: with every slot taken, another is refused 429", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    receiver.reply = () => ({ status: 200, hang: true });

    const first = world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token });
    await expect.poll(() => receiver.received.length).toBe(1);
    const second = await world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token });

    expectErrorBody(second, "RATE_LIMITED");
    expect((await first).status).toBe(200);
    expect(receiver.received).toHaveLength(1);
  });

  it("are not replayed", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    receiver.reply = () => ({ status: 503 });
    const tested = await world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token });
    expectStatus(tested, 200);

    const replay = await world.request(
      "POST",
      `/v1/webhook-deliveries/${tested.body.delivery.id}/replay`,
      { token },
    );

    expectErrorBody(replay, "CONFLICT");
    await world.deliveries.drain();
    expect(receiver.received).toHaveLength(1);
  });
});

describe("test-sends of one org", () => {
  it("take at most half the slots, so another org can still test", async () => {
    const wide = await createWorld({
      outboundAllow: ["127.0.0.1"],
      delivery: { concurrency: 2, jitter: 0, timeoutMs: 2000 },
    });
    try {
      const [one, two] = [await createTenant(wide, "half-a"), await createTenant(wide, "half-b")];
      const oneToken = (await createKey(wide, one.slug, { role: "partner_admin" })).token;
      const twoToken = (await createKey(wide, two.slug, { role: "partner_admin" })).token;
      const oneHook = await insertEndpoint(wide.store, wide.keyring, one.id, receiver.url);
      const twoHook = await insertEndpoint(wide.store, wide.keyring, two.id, receiver.url);
      receiver.reply = () => ({ status: 200, hang: true });

      const held = wide.request("POST", `/v1/webhooks/${oneHook.id}/test`, { token: oneToken });
      await expect.poll(() => receiver.received.length).toBe(1);
      const again = await wide.request("POST", `/v1/webhooks/${oneHook.id}/test`, {
        token: oneToken,
      });
      const theirs = wide.request("POST", `/v1/webhooks/${twoHook.id}/test`, { token: twoToken });

      expectErrorBody(again, "RATE_LIMITED");
      expect((await theirs).status).toBe(200);
      expect((await held).status).toBe(200);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await wide.close();
    }
  });
});
