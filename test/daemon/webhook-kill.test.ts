/**
 * Issue #6: the outbox survives SIGKILL. A real daemon with deliveries
 * pending (its receiver answering 503) is killed; the next run delivers every
 * message, loses none, and sends none again once it was answered 200. Every
 * request, before and after, carries its message's own webhook-id and
 * verifies with the standardwebhooks package.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyringFromFile } from "../../core/secrets/keyring.ts";
import { openStore } from "../../core/store/store.ts";
import { partnerData } from "../../core/tenancy/partner-data.ts";
import {
  insertEndpoint,
  queue,
  type Receiver,
  scopeOf,
  startReceiver,
  verifies,
} from "../support/webhooks.ts";
import { cleanUpDaemons, preparedDataDir, spawnDaemon, startedUrl, stop } from "./processes.ts";

const MESSAGES = 20;
const ORG = "org_hookkill0000000000000";

let receiver: Receiver | undefined;

afterEach(async () => {
  cleanUpDaemons();
  await receiver?.close();
});

/** A partner org, one endpoint at the receiver, and MESSAGES queued sales, straight into the store. */
async function seed(dir: string, url: string) {
  const store = await openStore({ path: join(dir, "partneros.db") });
  const now = new Date().toISOString();
  await store.db
    .insertInto("orgs")
    .values({
      id: ORG,
      slug: "hook-kill",
      name: "Hook kill",
      account_type: "partner",
      status: "active",
      created_at: now,
      updated_at: now,
    })
    .execute();
  const keyring = keyringFromFile(join(dir, "master.keys"));
  const endpoint = await insertEndpoint(store, keyring, ORG, url);
  const sales = Array.from({ length: MESSAGES }, (_, n) => ({
    type: "event.sale",
    data: { eventId: `sale-${n}` },
  }));
  expect(await queue(store, ORG, sales)).toBe(MESSAGES);
  const messages = await partnerData(store.db, scopeOf(ORG))
    .webhookMessages()
    .select("id")
    .execute();
  await store.close();
  return { secret: endpoint.secret, messageIds: new Set(messages.map((m) => m.id)) };
}

async function until(what: string, done: () => boolean, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ENV = {
  PARTNEROS_OUTBOUND_ALLOW: "127.0.0.1",
  PARTNEROS_WEBHOOK_TIMEOUT: "1s",
  PARTNEROS_WEBHOOK_RETRY_SCHEDULE: Array(20).fill("1s").join(","),
};

describe("a daemon killed with deliveries pending", () => {
  it("delivers every message after a restart, none lost, none sent again once answered", async () => {
    receiver = await startReceiver();
    const { dir } = await preparedDataDir();
    const { secret, messageIds } = await seed(dir, receiver.url);
    let healthy = false;
    const answered = new Map<string, number>();
    receiver.reply = (request) => {
      if (!healthy) return { status: 503 };
      const id = String(request.headers["webhook-id"]);
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return { status: 200 };
    };
    const seen = () => new Set(receiver?.received.map((r) => String(r.headers["webhook-id"])));

    const first = spawnDaemon(dir, { env: ENV });
    await startedUrl(first);
    await until("every message attempted once", () => seen().size === MESSAGES);
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const beforeRestart = receiver.received.length;

    healthy = true;
    const second = spawnDaemon(dir, { env: ENV });
    await startedUrl(second);
    await until("every message answered 200", () => answered.size === MESSAGES);
    await stop(second);

    expect(beforeRestart).toBeGreaterThanOrEqual(MESSAGES);
    expect(seen()).toEqual(messageIds);
    expect([...answered.values()]).toEqual(Array(MESSAGES).fill(1));
    expect(receiver.received.every((r) => verifies(secret, r))).toBe(true);
    const store = await openStore({ path: join(dir, "partneros.db") });
    const deliveries = await partnerData(store.db, scopeOf(ORG))
      .webhookDeliveries()
      .select(["status", "message_id"])
      .execute();
    await store.close();
    expect(deliveries).toHaveLength(MESSAGES);
    expect(new Set(deliveries.map((d) => d.status))).toEqual(new Set(["succeeded"]));
  }, 120_000);
});
