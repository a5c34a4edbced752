// Issue #6's delivery figure: deliveries per second from the outbox to a
// receiver on loopback, through the daemon's worker (claim with a lease, read
// the endpoint and message in the delivery's org, open the signing secret,
// sign, the outbound guard, POST, record the attempt), against a baseline
// measured in the same run: the same bodies signed and POSTed from a loop with
// the same concurrency and a connection each, with no store at all.
import { rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { newId } from "../core/ids.ts";
import { encryptSecret } from "../core/secrets/envelope.ts";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import type { Secret } from "../core/secrets/secret.ts";
import { sharedCounter } from "../core/secrets/usage.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import type { Store } from "../core/store/store.ts";
import { partnerData } from "../core/tenancy/partner-data.ts";
import { signingSecretBinding } from "../core/webhooks/endpoint-secrets.ts";
import { announce } from "../core/webhooks/outbox.ts";
import { newSigningSecret, webhookHeaders } from "../core/webhooks/signature.ts";
import { createApp } from "../daemon/app.ts";
import { BENCH_SESSION_TTL_MS, benchStore } from "./server.ts";

export interface DeliveryReport {
  messages: number;
  concurrency: number;
  /** Per round: deliveries per second through the worker, and plain POSTs per second. */
  worker: number[];
  baseline: number[];
}

interface Receiver {
  url: string;
  count: number;
  close(): Promise<void>;
}

/** Answers every POST 204 once its body is read, and counts them. */
async function startReceiver(): Promise<Receiver> {
  const receiver = { url: "", count: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      receiver.count++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

const scopeOf = (orgId: string) => ({
  orgId,
  orgSlug: "bench-hooks",
  accountType: "partner" as const,
  crossOrg: false,
});

/** A partner org with one endpoint at the receiver, its secret sealed as the service seals it. */
async function seedEndpoint(store: Store, keys: LiveKeyring, url: string): Promise<Secret> {
  const orgId = newId("org");
  const now = new Date().toISOString();
  await store.db
    .insertInto("orgs")
    .values({
      id: orgId,
      slug: "bench-hooks",
      name: "Bench hooks",
      account_type: "partner",
      status: "active",
      created_at: now,
      updated_at: now,
    })
    .execute();
  const id = newId("webhook");
  const counter = await sharedCounter(store);
  await counter.reserve(keys.keyring.primary, 1);
  const secret = newSigningSecret();
  const sealed = encryptSecret(
    keys.keyring,
    counter,
    signingSecretBinding({ org_id: orgId, id }, "signing"),
    secret,
  );
  await partnerData(store.db, scopeOf(orgId))
    .insertWebhookEndpoint({
      id,
      url,
      description: "bench receiver",
      event_types: JSON.stringify(["event.sale"]),
      status: "enabled",
      disabled_reason: null,
      secrets: JSON.stringify({ signing: sealed }),
      previous_expires_at: null,
      key_version: keys.keyring.primary,
      sealed_fields: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  orgOfBench.set(store, orgId);
  return secret;
}
const orgOfBench = new WeakMap<Store, string>();

const bodyOf = (n: number) => ({
  type: "event.sale",
  data: { eventId: `bench-sale-${n}`, amount: 1000 + n, currency: "EUR", customerId: null },
});

async function waitFor(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Queues `messages` sales, then times the running worker until every one succeeded. */
async function workerRound(
  store: Store,
  deliveries: ReturnType<typeof createApp>["deliveries"],
  receiver: Receiver,
  messages: number,
): Promise<number> {
  const orgId = orgOfBench.get(store) as string;
  const now = new Date().toISOString();
  const queued = await store.transaction((tx) =>
    announce(
      tx,
      scopeOf(orgId),
      Array.from({ length: messages }, (_, n) => bodyOf(n)),
      now,
    ),
  );
  if (queued !== messages) throw new Error(`queued ${queued} deliveries, not ${messages}`);
  const start = receiver.count;
  const started = performance.now();
  deliveries.start();
  await waitFor(() => receiver.count - start >= messages);
  await deliveries.stop();
  const seconds = (performance.now() - started) / 1000;
  const pending = await partnerData(store.db, scopeOf(orgId))
    .webhookDeliveries()
    .select("id")
    .where("status", "!=", "succeeded")
    .execute();
  if (pending.length > 0) throw new Error(`${pending.length} deliveries did not succeed`);
  return messages / seconds;
}

/** The same bodies, signed and POSTed with the same concurrency and no store. */
async function baselineRound(
  receiver: Receiver,
  secret: Secret,
  messages: number,
  concurrency: number,
): Promise<number> {
  const url = new URL(receiver.url);
  const now = new Date().toISOString();
  const bodies = Array.from({ length: messages }, (_, n) =>
    JSON.stringify({ type: "event.sale", timestamp: now, data: bodyOf(n).data }),
  );
  let next = 0;
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const headers = {
        ...webhookHeaders([secret], newId("message"), Math.floor(Date.now() / 1000), body),
        "content-type": "application/json",
      };
      const req = request(
        // A connection per POST, as the worker opens one to each checked address.
        {
          method: "POST",
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          headers,
          agent: false,
        },
        (res) => {
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const lane = async () => {
    for (let i = next++; i < messages; i = next++) await post(bodies[i] as string);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return messages / ((performance.now() - started) / 1000);
}

export async function runDeliveryBench(options: {
  messages: number;
  concurrency: number;
  rounds: number;
}): Promise<DeliveryReport> {
  const { dir, store, destination, logger } = await benchStore("partneros-bench-hooks-");
  const receiver = await startReceiver();
  const keys = LiveKeyring.ephemeral();
  const { deliveries } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(BENCH_SESSION_TTL_MS),
    keys,
    outboundAllow: ["127.0.0.1"],
    delivery: { concurrency: options.concurrency },
  });
  const report: DeliveryReport = { ...options, worker: [], baseline: [] };
  try {
    const secret = await seedEndpoint(store, keys, receiver.url);
    // Alternated, so drift of a shared machine falls on both.
    for (let round = 0; round < options.rounds; round++) {
      report.baseline.push(
        await baselineRound(receiver, secret, options.messages, options.concurrency),
      );
      report.worker.push(await workerRound(store, deliveries, receiver, options.messages));
    }
  } finally {
    await deliveries.stop();
    await receiver.close();
    await store.close();
    destination.flushSync();
    destination.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}
