/**
 * Issue #6, delivery: the worker against a real receiver on loopback, driven
 * with an injected clock. Every request the receiver gets is verified with
 * the independent standardwebhooks package.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { outboundPolicy } from "../../core/outbound/policy.ts";
import { deliveryQueue, partnerData } from "../../core/tenancy/partner-data.ts";
import { EXCERPT_BYTES, excerptOf, READ_BYTES } from "../../core/webhooks/attempt.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "../../core/webhooks/schedule.ts";
import { newSigningSecret } from "../../core/webhooks/signature.ts";
import { DeliveryWorker } from "../../core/webhooks/worker.ts";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, type Tenant } from "../security/actors.ts";
import {
  insertEndpoint,
  queue,
  type Receiver,
  scopeOf,
  startReceiver,
  verifies,
} from "../support/webhooks.ts";

let clock = new Date();
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

let world: World;
let receiver: Receiver;
let tenant: Tenant;
let token: string;

beforeAll(async () => {
  world = await createWorld({
    outboundAllow: ["127.0.0.1"],
    delivery: { now: () => clock, jitter: 0, timeoutMs: 1000 },
  });
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await world?.close();
});

// Each test gets its own tenant, so no endpoint of an earlier test is subscribed.
beforeEach(async () => {
  receiver.received.length = 0;
  receiver.reply = () => ({ status: 200 });
  tenant = await createTenant(world, "hooks");
  token = (await createKey(world, tenant.slug, { role: "partner_admin" })).token;
  clock = new Date();
});

// Whatever a test left due must not be claimed by the next one's drain.
afterEach(async () => {
  await partnerData(world.store.db, scopeOf(tenant.id))
    .updateWebhookDeliveries()
    .set({ status: "cancelled", next_attempt_at: null, lease_until: null })
    .where("status", "in", ["pending", "sending"])
    .execute();
});

const sale = (n: number) => ({ type: "event.sale", data: { eventId: `sale-${n}`, amount: n } });

async function deliveriesOf(endpointId: string) {
  return partnerData(world.store.db, scopeOf(tenant.id))
    .webhookDeliveries()
    .selectAll()
    .where("endpoint_id", "=", endpointId)
    .orderBy("created_at")
    .execute();
}

async function attemptsOf(deliveryId: string) {
  return partnerData(world.store.db, scopeOf(tenant.id))
    .webhookAttempts()
    .selectAll()
    .where("delivery_id", "=", deliveryId)
    .orderBy("attempt")
    .execute();
}

async function payloadOf(messageId: string) {
  const row = await partnerData(world.store.db, scopeOf(tenant.id))
    .webhookMessages()
    .select("payload")
    .where("id", "=", messageId)
    .executeTakeFirstOrThrow();
  return row.payload;
}

describe("a delivery", () => {
  it("POSTs the stored payload, signed so that standardwebhooks verifies it", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    expect(
      await queue(world.store, tenant.id, [sale(1), sale(2), sale(3)], clock.toISOString()),
    ).toBe(3);

    expect(await world.deliveries.drain()).toBe(3);

    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries.map((d) => d.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(receiver.received).toHaveLength(3);
    for (const delivery of deliveries) {
      const got = receiver.received.find((r) => r.headers["webhook-id"] === delivery.message_id);
      if (!got) throw new Error(`no request carried ${delivery.message_id}`);
      expect(got.body).toBe(await payloadOf(delivery.message_id));
      expect(got.headers["content-type"]).toBe("application/json");
      expect(got.headers["user-agent"]).toMatch(/^PartnerOS-Webhooks\//);
      expect(got.headers["webhook-timestamp"]).toBe(String(Math.floor(clock.getTime() / 1000)));
      expect(verifies(endpoint.secret, got)).toBe(true);
      expect(JSON.parse(got.body)).toMatchObject({ type: "event.sale" });
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt).toMatchObject({ attempt: 1, outcome: "succeeded", status_code: 200 });
    }
  });

  it("fails verification under another endpoint's secret", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    const other = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.refund"],
    });
    await queue(world.store, tenant.id, [sale(4)], clock.toISOString());
    await world.deliveries.drain();

    const got = receiver.received.filter((r) => verifies(endpoint.secret, r));
    expect(got.length).toBeGreaterThan(0);
    expect(got.some((r) => verifies(other.secret, r))).toBe(false);
  });
});

describe("a secret rotation", () => {
  it("signs with both secrets inside the grace window and only the new one after it", async () => {
    const expiresAt = new Date(clock.getTime() + 10_000).toISOString();
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.lead"],
      previous: { expiresAt },
    });
    const lead = { type: "event.lead", data: { eventId: "lead-1" } };
    await queue(world.store, tenant.id, [lead], clock.toISOString());
    await world.deliveries.drain();
    const during = receiver.received.at(-1);
    if (!during || !endpoint.previous) throw new Error("nothing was delivered");
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifies(endpoint.secret, during)).toBe(true);
    expect(verifies(endpoint.previous, during)).toBe(true);

    advance(11_000);
    await queue(world.store, tenant.id, [lead], clock.toISOString());
    await world.deliveries.drain();
    const after = receiver.received.at(-1);
    if (!after || after === during) throw new Error("nothing was delivered after the window");
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verifies(endpoint.secret, after)).toBe(true);
    expect(verifies(endpoint.previous, after)).toBe(false);
  });
});

describe("retries", () => {
  it("follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then the delivery fails", async () => {
    receiver.reply = () => ({ status: 503, body: "busy" });
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.click"],
    });
    await queue(world.store, tenant.id, [{ type: "event.click", data: {} }], clock.toISOString());
    expect(await world.deliveries.drain()).toBe(1);

    for (const step of DEFAULT_RETRY_SCHEDULE_MS) {
      const [pending] = await deliveriesOf(endpoint.id);
      expect(pending?.status).toBe("pending");
      expect(pending?.next_attempt_at).toBe(new Date(clock.getTime() + step).toISOString());
      advance(step - 1);
      expect(await world.deliveries.drain()).toBe(0);
      advance(1);
      expect(await world.deliveries.drain()).toBe(1);
    }

    const [failed] = await deliveriesOf(endpoint.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 8, next_attempt_at: null });
    const attempts = await attemptsOf(failed?.id ?? "");
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(attempts.map((a) => `${a.outcome} ${a.error} ${a.status_code}`))).toEqual(
      new Set(["failed http_503 503"]),
    );
    expect(attempts[0]?.response_excerpt).toBe("busy");
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids).toEqual(new Set([failed?.message_id]));
    expect(receiver.received.every((r) => verifies(endpoint.secret, r))).toBe(true);
    advance(100 * 3_600_000);
    expect(await world.deliveries.drain()).toBe(0);
  });

  it("retry a receiver that hangs after the timeout, with the same webhook-id", async () => {
    let calls = 0;
    receiver.reply = () => (++calls === 1 ? { status: 200, hang: true } : { status: 204 });
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.signup"],
    });
    await queue(world.store, tenant.id, [{ type: "event.signup", data: {} }], clock.toISOString());

    await world.deliveries.drain();
    const [timedOut] = await deliveriesOf(endpoint.id);
    expect(timedOut).toMatchObject({ status: "pending", last_error: "TIMEOUT" });
    advance(5_000);
    await world.deliveries.drain();

    const [done] = await deliveriesOf(endpoint.id);
    expect(done?.status).toBe("succeeded");
    const attempts = await attemptsOf(done?.id ?? "");
    expect(attempts.map((a) => a.outcome)).toEqual(["timeout", "succeeded"]);
    expect(attempts[0]).toMatchObject({ status_code: null, error: "TIMEOUT" });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.headers["webhook-id"]).toBe(
      receiver.received[0]?.headers["webhook-id"],
    );
  });
});

describe("a receiver answering 410", () => {
  it("disables its endpoint, cancels its other pending deliveries and audits it", async () => {
    receiver.reply = () => ({ status: 410 });
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.refund"],
    });
    const refund = { type: "event.refund", data: {} };
    await queue(world.store, tenant.id, [refund], clock.toISOString());
    await queue(world.store, tenant.id, [refund], new Date(clock.getTime() + 60_000).toISOString());

    expect(await world.deliveries.drain()).toBe(1);

    const row = await partnerData(world.store.db, scopeOf(tenant.id))
      .webhookEndpoints()
      .select(["status", "disabled_reason"])
      .where("id", "=", endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "disabled", disabled_reason: "gone" });
    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries.map((d) => d.status)).toEqual(["failed", "cancelled"]);
    const audit = await world.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "webhook.disabled")
      .where("target_id", "=", endpoint.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_kind: "system", org_id: tenant.id });
    advance(120_000);
    expect(await world.deliveries.drain()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(await queue(world.store, tenant.id, [refund])).toBe(0);
  });
});

describe("a refused destination", () => {
  it("is never connected to, is recorded as not_allowed and is retried", async () => {
    // 127.0.0.2 is loopback too, but outside the allow-list (127.0.0.1 only).
    const outside = await startReceiver("127.0.0.2");
    try {
      const url = outside.url;
      const raw = await import("node:net").then(
        (net) =>
          new Promise<boolean>((resolve) => {
            const socket = net.connect(Number(new URL(url).port), "127.0.0.2");
            socket.once("connect", () => resolve(socket.destroy() === socket));
            socket.once("error", () => resolve(false));
          }),
      );
      const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, url, {
        types: ["event.lead"],
      });
      outside.received.length = 0;
      await queue(world.store, tenant.id, [{ type: "event.lead", data: {} }], clock.toISOString());

      await world.deliveries.drain();

      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery?.status).toBe("pending");
      const [attempt] = await attemptsOf(delivery?.id ?? "");
      expect(attempt).toMatchObject({ outcome: "not_allowed", status_code: null });
      expect(attempt?.error).toMatch(/^(PRIVATE_ADDRESS|HTTPS_REQUIRED|NOT_ALLOWED)$/);
      // The address is reachable at all, so nothing received means nothing was sent.
      expect(raw).toBe(true);
      expect(outside.received).toEqual([]);
    } finally {
      await outside.close();
    }
  });
});

describe("the response excerpt", () => {
  it("holds no form of the signing secret even when the receiver echoes it back", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.click"],
    });
    const key = endpoint.secret.slice("whsec_".length);
    const hex = Buffer.from(key, "base64").toString("hex");
    const split = `${endpoint.secret.slice(0, 20)}\u0000${endpoint.secret.slice(20)}`;
    receiver.reply = (request) => ({
      status: 400,
      body:
        `bad: ${endpoint.secret} key=${key} hex=${hex} split=${split} ` +
        `sig=${request.headers["webhook-signature"]}\u0007`,
    });
    await queue(world.store, tenant.id, [{ type: "event.click", data: {} }], clock.toISOString());

    await world.deliveries.drain();

    const [delivery] = await deliveriesOf(endpoint.id);
    const [attempt] = await attemptsOf(delivery?.id ?? "");
    const excerpt = String(attempt?.response_excerpt);
    expect(excerpt).toContain("[redacted]");
    for (const form of [endpoint.secret, key, hex, key.slice(0, 30), hex.toUpperCase()]) {
      expect(excerpt.toLowerCase()).not.toContain(form.toLowerCase());
    }
    expect(excerpt).not.toMatch(/\p{Cc}/u);
    expect(excerpt.length).toBeLessThanOrEqual(600);
  });

  it("holds no piece of a previous secret whose window closed, which no longer signs", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.click"],
      previous: { expiresAt: new Date(clock.getTime() - 1000).toISOString() },
    });
    const old = String(endpoint.previous);
    receiver.reply = () => ({ status: 401, body: `expected a signature by ${old}` });
    await queue(world.store, tenant.id, [{ type: "event.click", data: {} }], clock.toISOString());

    await world.deliveries.drain();

    const [delivery] = await deliveriesOf(endpoint.id);
    const [attempt] = await attemptsOf(delivery?.id ?? "");
    expect(attempt?.response_excerpt).toBe("expected a signature by [redacted]");
  });
});

describe("who reads an excerpt", () => {
  it("is a holder of webhooks.write; a reader sees the outcome without it", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.click"],
    });
    receiver.reply = () => ({ status: 500, body: "upstream exploded" });
    await queue(world.store, tenant.id, [{ type: "event.click", data: {} }], clock.toISOString());
    await world.deliveries.drain();
    const [delivery] = await deliveriesOf(endpoint.id);
    const reader = await createKey(world, tenant.slug, {
      role: "partner_admin",
      scopes: ["webhooks.read"],
    });

    const path = `/v1/webhook-deliveries/${delivery?.id}`;
    const asWriter = await world.request("GET", path, { token });
    const asReader = await world.request("GET", path, { token: reader.token });

    expect(asWriter.body.history[0]).toMatchObject({ responseExcerpt: "upstream exploded" });
    expect(asReader.body.history[0]).toMatchObject({ statusCode: 500, responseExcerpt: null });
  });
});

describe("excerptOf", () => {
  const secret = newSigningSecret();
  const text = secret.use((value) => value);
  const key = Buffer.from(text.slice("whsec_".length), "base64");
  // A piece of any form this long in an excerpt would be a leak.
  const pieces = (form: string) =>
    Array.from({ length: form.length - 11 }, (_, i) => form.slice(i, i + 12).toLowerCase());
  const forms = [
    text,
    key.toString("base64"),
    key.toString("base64").replace(/=+$/, ""),
    key.toString("base64url"),
    key.toString("hex"),
  ];
  const leaks = (excerpt: string | null) =>
    forms.some((form) => pieces(form).some((piece) => excerpt?.toLowerCase().includes(piece)));

  it.each([
    ["the whsec_ text", text],
    ["the key in base64", key.toString("base64")],
    ["the key without its padding", key.toString("base64").replace(/=+$/, "")],
    ["the key in base64url", key.toString("base64url")],
    ["the key in upper-case hex", key.toString("hex").toUpperCase()],
    ["the key JSON-escaped", JSON.stringify(key.toString("base64")).replaceAll("/", "\\/")],
    ["the key %-escaped", encodeURIComponent(key.toString("base64"))],
    ["the key split in halves", `${text.slice(0, 25)} ${text.slice(25)}`],
  ])("redacts %s", (_name, echoed) => {
    const excerpt = excerptOf(Buffer.from(`{"got":"${echoed}","ok":false}`), [secret]);

    expect(excerpt).toContain("[redacted]");
    expect(leaks(excerpt)).toBe(false);
    expect(excerpt).toContain('"ok":false');
  });

  it.each([440, 457, 470, EXCERPT_BYTES - 5, READ_BYTES - 30, READ_BYTES - 8])(
    "leaves no piece of a key that starts %i bytes in, across the excerpt's end",
    (offset) => {
      const body = Buffer.from(`${"x ".repeat(offset / 2)}${" ".repeat(offset % 2)}${text} tail`);

      const excerpt = excerptOf(body.subarray(0, READ_BYTES), [secret]);

      expect(leaks(excerpt)).toBe(false);
      expect(Array.from(excerpt ?? "").length).toBeLessThanOrEqual(EXCERPT_BYTES);
    },
  );

  it("redacts a signing secret of another endpoint as well", () => {
    const other = newSigningSecret().use((value) => value);

    const excerpt = excerptOf(Buffer.from(`try ${other} instead`), [secret]);

    expect(excerpt).toBe("try [redacted] instead");
  });

  it("keeps an answer that holds no secret as it was, control characters escaped", () => {
    const excerpt = excerptOf(Buffer.from("rate limited\u0007 try later"), [secret]);

    expect(excerpt).toBe("rate limited\\u0007 try later");
  });
});

describe("claims", () => {
  it("never hand one delivery to two workers at once", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.signup"],
    });
    const many = Array.from({ length: 24 }, () => ({ type: "event.signup", data: {} }));
    await queue(world.store, tenant.id, many, clock.toISOString());
    const second = new DeliveryWorker(world.store, world.keys, outboundPolicy(["127.0.0.1"]), {
      now: () => clock,
      concurrency: 5,
    });

    const [a, b] = await Promise.all([world.deliveries.drain(), second.drain()]);

    expect(a + b).toBe(24);
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(ids).toHaveLength(24);
    expect(new Set(ids).size).toBe(24);
    const statuses = (await deliveriesOf(endpoint.id)).map((d) => d.status);
    expect(new Set(statuses)).toEqual(new Set(["succeeded"]));
  });

  it("of a worker that died mid-attempt are taken again once the lease runs out", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.sale"],
    });
    await queue(world.store, tenant.id, [sale(9)], clock.toISOString());
    // A worker claims and dies: the row stays `sending` under its lease.
    const lease = new Date(clock.getTime() + 60_000).toISOString();
    const claimed = await world.store.transaction((tx) =>
      deliveryQueue.claim(tx, clock.toISOString(), lease, 100),
    );
    expect(claimed.map((c) => c.endpoint_id)).toContain(endpoint.id);

    expect(await world.deliveries.drain()).toBe(0);
    advance(60_001);
    expect(await world.deliveries.drain()).toBeGreaterThanOrEqual(1);

    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(receiver.received.filter((r) => verifies(endpoint.secret, r))).toHaveLength(1);
  });

  it("of a worker that outlived its lease record nothing once another took the delivery", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.sale"],
    });
    await queue(world.store, tenant.id, [sale(10)], clock.toISOString());
    const lease = new Date(clock.getTime() + 60_000).toISOString();
    const [late] = await world.store.transaction((tx) =>
      deliveryQueue.claim(tx, clock.toISOString(), lease, 1),
    );
    if (!late) throw new Error("nothing was claimed");
    advance(60_001);
    await world.deliveries.drain();

    const outcome = await world.deliveries.attempt({ ...late, lease });

    expect(outcome).toBeNull();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await attemptsOf(delivery?.id ?? "")).toHaveLength(1);
  });

  it("of a test-send a crash left behind are cancelled, never sent again", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.sale"],
    });
    const now = clock.toISOString();
    const data = partnerData(world.store.db, scopeOf(tenant.id));
    await data
      .insertWebhookMessages([
        { id: "msg_test_left_behind", event_type: "webhook.test", payload: "{}", created_at: now },
      ])
      .execute();
    await data
      .insertWebhookDeliveries([
        {
          id: "whd_test_left_behind",
          message_id: "msg_test_left_behind",
          endpoint_id: endpoint.id,
          status: "sending",
          attempts: 0,
          schedule_start: 0,
          next_attempt_at: null,
          lease_until: new Date(clock.getTime() - 1).toISOString(),
          last_status_code: null,
          last_error: null,
          created_at: now,
          updated_at: now,
          completed_at: null,
        },
      ])
      .execute();

    await world.deliveries.drain();

    expect(receiver.received).toHaveLength(0);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: "cancelled", last_error: "test_interrupted" });
  });
});

describe("the delivery routes", () => {
  it("replay a delivery with the same webhook-id, and audit it", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.lead"],
    });
    await queue(world.store, tenant.id, [{ type: "event.lead", data: {} }], clock.toISOString());
    await world.deliveries.drain();
    const [delivery] = await deliveriesOf(endpoint.id);
    if (!delivery) throw new Error("nothing was queued");

    const replayed = await world.request("POST", `/v1/webhook-deliveries/${delivery.id}/replay`, {
      token,
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ id: delivery.id, status: "pending" });
    await world.deliveries.drain();

    const detail = await world.request("GET", `/v1/webhook-deliveries/${delivery.id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(detail.body.history.map((a: { trigger: string }) => a.trigger)).toEqual([
      "schedule",
      "replay",
    ]);
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([
      delivery.message_id,
      delivery.message_id,
    ]);
    expect(receiver.received.every((r) => verifies(endpoint.secret, r))).toBe(true);
    const audit = await world.store.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", delivery.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["webhook.replayed"]);
  });

  it("test-send a signed webhook.test at once and answer the attempt", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    const res = await world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token });

    expect(res.status).toBe(200);
    expect(res.body.attempt).toMatchObject({ outcome: "succeeded", statusCode: 200 });
    expect(res.body.delivery).toMatchObject({ eventType: "webhook.test", status: "succeeded" });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    if (!got) throw new Error("nothing was sent");
    expect(verifies(endpoint.secret, got)).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({ type: "webhook.test" });

    receiver.reply = () => ({ status: 500 });
    const failed = await world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token });
    expect(failed.body.attempt).toMatchObject({ outcome: "failed", statusCode: 500 });
    expect(failed.body.delivery.status).toBe("failed");
    advance(3_600_000);
    expect(await world.deliveries.drain()).toBe(0);
  });

  it("list an endpoint's deliveries by status, a page at a time", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url, {
      types: ["event.refund"],
    });
    receiver.reply = (r) => (JSON.parse(r.body).data.n % 2 ? { status: 200 } : { status: 500 });
    const refunds = Array.from({ length: 5 }, (_, n) => ({ type: "event.refund", data: { n } }));
    await queue(world.store, tenant.id, refunds, clock.toISOString());
    await world.deliveries.drain();

    const base = `/v1/webhooks/${endpoint.id}/deliveries`;
    const pending = await world.request("GET", `${base}?status=pending`, { token });
    expect(pending.body.data).toHaveLength(3);
    const first = await world.request("GET", `${base}?limit=2`, { token });
    expect(first.body.data).toHaveLength(2);
    const rest = await world.request("GET", `${base}?limit=5&cursor=${first.body.nextCursor}`, {
      token,
    });
    expect(rest.body.nextCursor).toBeNull();
    const seen = [...first.body.data, ...rest.body.data].map((d: { id: string }) => d.id);
    expect(new Set(seen).size).toBe(5);
  });

  it("answer another tenant's delivery exactly like a missing one", async () => {
    const endpoint = await insertEndpoint(world.store, world.keyring, tenant.id, receiver.url);
    await queue(world.store, tenant.id, [sale(7)], clock.toISOString());
    const [delivery] = await deliveriesOf(endpoint.id);
    const other = await createTenant(world, "rival");
    const rival = (await createKey(world, other.slug, { role: "partner_admin" })).token;

    const foreign = await world.request("GET", `/v1/webhook-deliveries/${delivery?.id}`, {
      token: rival,
    });
    const missing = await world.request("GET", "/v1/webhook-deliveries/whd_0000000000000000000", {
      token: rival,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(missing.body.error.message);
    const replay = await world.request("POST", `/v1/webhook-deliveries/${delivery?.id}/replay`, {
      token: rival,
    });
    expect(replay.status).toBe(404);
    const test = await world.request("POST", `/v1/webhooks/${endpoint.id}/test`, { token: rival });
    expect(test.status).toBe(404);
    expect(receiver.received).toHaveLength(0);
  });
});
