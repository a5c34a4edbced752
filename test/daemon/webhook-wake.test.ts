/**
 * A push that takes events in wakes the delivery worker: with a poll interval
 * of an hour, the receiver still gets the announcement, signed, straight away.
 * Without the wake-up this suite would wait for the poll and time out.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant } from "../security/actors.ts";
import { eventBody } from "../support/events.ts";
import { type Receiver, startReceiver, verifies } from "../support/webhooks.ts";

let world: World;
let receiver: Receiver;

beforeAll(async () => {
  world = await createWorld({
    outboundAllow: ["127.0.0.1"],
    delivery: { pollMs: 3_600_000, jitter: 0 },
  });
  receiver = await startReceiver();
  world.deliveries.start();
});

afterAll(async () => {
  await world?.close();
  await receiver?.close();
});

it("delivers an ingested sale without waiting for the next poll", async () => {
  const tenant = await createTenant(world, "wake");
  const token = (await createKey(world, tenant.slug, { role: "partner_admin" })).token;
  const created = await world.request("POST", "/v1/webhooks", {
    token,
    body: { url: receiver.url, eventTypes: ["event.sale"] },
  });
  expect(created.status).toBe(201);
  const secret: string = created.body.signingSecret;

  const pushed = await world.request("POST", "/v1/events", { token, body: eventBody("sale") });
  expect(pushed.status).toBe(201);

  await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000 });
  const [request] = receiver.received;
  expect(request && verifies(secret, request)).toBe(true);
  expect(JSON.parse(request?.body ?? "{}")).toMatchObject({
    type: "event.sale",
    data: { id: pushed.body.id },
  });
});
