/**
 * Event ingest under attack and under load: many concurrent pushes of one
 * event (single and in overlapping batches) leave one event and one outbox
 * message per eventId; references to another partner's customers and deals
 * are refused exactly like random ids; eventIds are per org; operators push
 * only with an explicit, audited scope; a key holding only events.write
 * pushes and reads nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { eventBody, eventRows, insertEndpoint, outbox, uniqueEventId } from "../support/events.ts";
import {
  auditHead,
  auditSince,
  createKey,
  expectErrorBody,
  expectStatus,
  named,
  OPERATOR_SLUG,
  seedActors,
  unknownId,
} from "./actors.ts";
import { type PartnerFixture, seedCatalogue, seedPartner } from "./partner-fixtures.ts";

type Response = Awaited<ReturnType<World["request"]>>;

let world: World;
let a: PartnerFixture;
let b: PartnerFixture;
let bEvent: { id: string; eventId: string };

beforeAll(async () => {
  world = await createWorld();
  const products = await seedCatalogue(world, ["Gizmo"]);
  a = await seedPartner(world, "ingest-a", products, { users: 1, keys: 0, customers: 2, deals: 2 });
  b = await seedPartner(world, "ingest-b", products, { users: 1, keys: 0, customers: 2, deals: 2 });
  await insertEndpoint(world, a.tenant.id, ["event.sale", "event.click"]);
  const pushed = await pushAs(b.admin.token, eventBody("sale", { customerId: b.customers[0] }));
  expectStatus(pushed, 201);
  bEvent = { id: pushed.body.id, eventId: pushed.body.eventId };
});

afterAll(async () => {
  await world?.close();
});

function pushAs(token: string, body: unknown, org?: string): Promise<Response> {
  const query = org === undefined ? "" : `?org=${org}`;
  return world.request("POST", `/v1/events${query}`, { token, body });
}

/** Messages of A's outbox announcing the event with this evt_ id. */
async function messagesFor(eventId: string) {
  const { messages, deliveries } = await outbox(world, a.tenant.id);
  const mine = messages.filter((m) => JSON.parse(m.payload).data.id === eventId);
  return {
    messages: mine,
    deliveries: deliveries.filter((d) => mine.some((m) => m.id === d.message_id)),
  };
}

describe("concurrent pushes of one event", () => {
  it("as 25 requests at once yield one 201, 24 duplicates, one event and message", async () => {
    const body = eventBody("sale");

    const answers = await Promise.all(
      Array.from({ length: 25 }, () => pushAs(a.admin.token, body)),
    );

    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([...Array(24).fill(200), 201]);
    const ids = new Set(answers.map((res) => res.body.id));
    expect(ids.size).toBe(1);
    const rows = (await eventRows(world, a.tenant.id)).filter(
      (r) => r.external_id === body.eventId,
    );
    expect(rows).toHaveLength(1);
    const { messages, deliveries } = await messagesFor(rows[0]?.id ?? "");
    expect({ messages: messages.length, deliveries: deliveries.length }).toEqual({
      messages: 1,
      deliveries: 1,
    });
  });

  it("in 8 overlapping batches at once yield one event and one message per eventId", async () => {
    const pool = Array.from({ length: 20 }, () => eventBody("click"));
    const batches = Array.from({ length: 8 }, (_, k) =>
      Array.from({ length: 12 }, (_, i) => pool[(k * 3 + i * 7) % pool.length]),
    );

    const answers = await Promise.all(batches.map((events) => pushAs(a.admin.token, { events })));

    const results = answers.flatMap((res) => {
      expectStatus(res, 200);
      return res.body.results as { eventId: string; outcome: string; id: string }[];
    });
    const sent = new Set(batches.flat().map((e) => e?.eventId));
    for (const eventId of sent) {
      const mine = results.filter((r) => r.eventId === eventId);
      expect(
        mine.filter((r) => r.outcome === "accepted"),
        eventId,
      ).toHaveLength(1);
      expect(
        mine.filter((r) => r.outcome === "rejected"),
        eventId,
      ).toEqual([]);
      expect(new Set(mine.map((r) => r.id)).size, eventId).toBe(1);
    }
    const rows = (await eventRows(world, a.tenant.id)).filter((r) => sent.has(r.external_id));
    expect(rows).toHaveLength(sent.size);
    for (const row of rows) {
      const { messages, deliveries } = await messagesFor(row.id);
      expect([messages.length, deliveries.length], row.external_id).toEqual([1, 1]);
    }
  });

  it("with two payloads at once keep the first; the others agree or get 409", async () => {
    const eventId = uniqueEventId();
    const bodies = Array.from({ length: 10 }, (_, i) =>
      eventBody("sale", { eventId, amount: i % 2 === 0 ? 100 : 200 }),
    );

    const answers = await Promise.all(bodies.map((body) => pushAs(a.admin.token, body)));

    const rows = (await eventRows(world, a.tenant.id)).filter((r) => r.external_id === eventId);
    expect(rows).toHaveLength(1);
    const kept = rows[0]?.amount;
    answers.forEach((res, i) => {
      if (bodies[i]?.amount === kept) expect([200, 201]).toContain(res.status);
      else expectErrorBody(res, "CONFLICT");
    });
    expect(answers.filter((res) => res.status === 201)).toHaveLength(1);
  });
});

/** Item results as a client compares them. */
const itemOf = (res: Response) => {
  expectStatus(res, 200);
  return res.body.results[0];
};

describe("references to another partner's rows", () => {
  const cases: { label: string; refs: (random: boolean) => Record<string, string> }[] = [
    {
      label: "B's customer",
      refs: (random) => ({
        customerId: random ? unknownId("customer") : (b.customers[0] as string),
      }),
    },
    {
      label: "B's deal",
      refs: (random) => ({ dealId: random ? unknownId("deal") : (b.deals[0] as string) }),
    },
    {
      label: "A's customer with B's deal",
      refs: (random) => ({
        customerId: a.customers[0] as string,
        dealId: random ? unknownId("deal") : (b.deals[0] as string),
      }),
    },
    {
      label: "B's customer with its own deal",
      refs: (random) => ({
        customerId: random ? unknownId("customer") : (b.customers[0] as string),
        dealId: b.deals[0] as string,
      }),
    },
  ];

  it.each(named(cases, (c) => c.label))(
    "are refused for %s exactly like random ids, in a batch and alone",
    async (_, { refs }) => {
      const eventId = uniqueEventId("foreign");
      const bBefore = await eventRows(world, b.tenant.id);
      const batch = (random: boolean) => ({
        events: [eventBody("click", { eventId, ...refs(random) })],
      });
      const single = (random: boolean) => eventBody("click", { eventId, ...refs(random) });

      const foreignItem = itemOf(await pushAs(a.admin.token, batch(false)));
      const randomItem = itemOf(await pushAs(a.admin.token, batch(true)));
      const foreignAlone = await pushAs(a.admin.token, single(false));
      const randomAlone = await pushAs(a.admin.token, single(true));

      expect(foreignItem).toMatchObject({ outcome: "rejected", error: { code: "NOT_FOUND" } });
      expect(foreignItem).toEqual(randomItem);
      expectErrorBody(foreignAlone, "NOT_FOUND");
      expect(foreignAlone.body.error.message).toBe(randomAlone.body.error.message);
      expect(foreignAlone.status).toBe(randomAlone.status);
      expect((await eventRows(world, a.tenant.id)).some((r) => r.external_id === eventId)).toBe(
        false,
      );
      expect(await eventRows(world, b.tenant.id)).toEqual(bBefore);
    },
  );
});

describe("eventIds", () => {
  it("are per org: A pushing B's eventId gets a new event of its own", async () => {
    const bBefore = await eventRows(world, b.tenant.id);

    const res = await pushAs(a.admin.token, eventBody("click", { eventId: bEvent.eventId }));

    expectStatus(res, 201);
    expect(res.body.id).not.toBe(bEvent.id);
    expect(res.body.orgId).toBe(a.tenant.id);
    expect(await eventRows(world, b.tenant.id)).toEqual(bBefore);
  });

  it("of B cannot be read by A by evt_ id, list filter or anything else", async () => {
    const one = await world.request("GET", `/v1/events/${bEvent.id}`, { token: a.admin.token });
    const list = await world.request("GET", `/v1/events?customerId=${b.customers[0]}`, {
      token: a.admin.token,
    });

    expectErrorBody(one, "NOT_FOUND");
    expectStatus(list, 200);
    expect(list.body.data).toEqual([]);
  });
});

describe("an operator", () => {
  it("without org gets SCOPE_REQUIRED, and nothing is written or audited", async () => {
    const seq = await auditHead(world);
    const before = await eventRows(world, a.tenant.id);

    const res = await pushAs(world.ownerToken, eventBody("click"));

    expectErrorBody(res, "SCOPE_REQUIRED");
    expect(await eventRows(world, a.tenant.id)).toEqual(before);
    expect(await auditSince(world, seq)).toEqual([]);
  });

  it("naming the partner ingests into it, audited as access and as the push", async () => {
    const seq = await auditHead(world);

    const res = await pushAs(world.ownerToken, eventBody("lead"), a.tenant.slug);

    expectStatus(res, 201);
    expect(res.body.orgId).toBe(a.tenant.id);
    const records = await auditSince(world, seq);
    expect(records.map((r) => r.action).sort()).toEqual([
      "events.ingested",
      "partner_data.accessed",
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        org_id: a.tenant.id,
        actor_org_id: world.operatorOrgId,
        request_id: res.headers.get("x-request-id"),
      });
    }
    const row = (await eventRows(world, a.tenant.id)).find((r) => r.id === res.body.id);
    expect(row?.received_by).toBe(records[0]?.actor_id);
  });

  it("naming its own org is told the partner org does not exist", async () => {
    const res = await pushAs(world.ownerToken, eventBody("click"), OPERATOR_SLUG);

    expectErrorBody(res, "NOT_FOUND");
  });

  it("with a role lacking events.write is refused by the guard", async () => {
    const actors = await seedActors(world, a.tenant, []);
    const analyst = actors.get("analyst key");

    const res = await pushAs(analyst?.token ?? "", eventBody("click"), a.tenant.slug);

    expectErrorBody(res, "FORBIDDEN");
    expect(res.body.error.message).toContain("events.write");
  });
});

describe("a partner key holding only events.write", () => {
  let token: string;

  beforeAll(async () => {
    const key = await createKey(
      world,
      a.tenant.slug,
      { role: "partner_member", scopes: ["events.write"] },
      a.admin.token,
    );
    token = key.token;
  });

  it("pushes single events and batches", async () => {
    const single = await pushAs(token, eventBody("sale", { customerId: a.customers[1] }));
    const batch = await pushAs(token, { events: [eventBody("click"), eventBody("signup")] });

    expectStatus(single, 201);
    expectStatus(batch, 200);
    expect(batch.body.summary).toEqual({ accepted: 2, duplicate: 0, rejected: 0 });
  });

  const reads: [string, string, string][] = [
    ["deals", "/v1/deals", "deals.read"],
    ["one deal", "/v1/deals/{deal}", "deals.read"],
    ["customers", "/v1/customers", "customers.read"],
    ["events", "/v1/events", "events.read"],
    ["webhooks", "/v1/webhooks", "webhooks.read"],
  ];

  it.each(reads)("cannot read %s: 403 naming the permission", async (_, path, permission) => {
    const res = await world.request("GET", path.replace("{deal}", a.deals[0] as string), {
      token,
    });

    expectErrorBody(res, "FORBIDDEN");
    expect(res.body.error.message).toContain(permission);
  });
});
