/**
 * Event ingest through the API: every field rule as a per-item rejection,
 * duplicates and conflicts (single, batch, within one batch, in another
 * spelling), malformed pushes that write nothing, one audit record per push,
 * webhook announcements in the push's own transaction, and the list's
 * filters and keyset pages. A fast-check model checks idempotency over
 * random pushes.
 */
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import {
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  named,
  type Tenant,
  unknownId,
} from "../security/actors.ts";
import { seedCatalogue } from "../security/partner-fixtures.ts";
import {
  auditOf,
  eventBody,
  eventRows,
  insertEndpoint,
  outbox,
  uniqueEventId,
} from "../support/events.ts";

type Response = Awaited<ReturnType<World["request"]>>;

let world: World;
let org: Tenant;
let token: string;
let customers: string[];
/** deals[i] belongs to customers[i]. */
let deals: string[];

beforeAll(async () => {
  world = await createWorld();
  const [product] = await seedCatalogue(world, ["Gizmo"]);
  org = await createTenant(world, "events");
  token = (await createKey(world, org.slug, { role: "partner_admin" })).token;
  customers = [];
  deals = [];
  for (let i = 0; i < 2; i++) {
    const customer = await call("POST", "/v1/customers", { externalRef: `c-${i}`, name: `C${i}` });
    expectStatus(customer, 201);
    customers.push(customer.body.id);
    const deal = await call("POST", "/v1/deals", {
      externalRef: `d-${i}`,
      productId: product,
      stage: "Engaging",
      currency: "EUR",
      customerId: customer.body.id,
    });
    expectStatus(deal, 201);
    deals.push(deal.body.id);
  }
});

afterAll(async () => {
  await world?.close();
});

function call(method: string, path: string, body?: unknown): Promise<Response> {
  return world.request(method, path, { token, ...(body === undefined ? {} : { body }) });
}

const push = (body: unknown) => call("POST", "/v1/events", body);

/** What a push may change: the org's events, outbox and audit trail. */
async function written() {
  return {
    events: await eventRows(world, org.id),
    outbox: await outbox(world, org.id),
    audit: await auditOf(world, org.id, "events.ingested"),
  };
}

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe("one event", () => {
  it("is accepted with 201 and the public view, in UTC, and GET answers the same", async () => {
    const body = eventBody("sale", {
      occurredAt: "2026-02-01T09:15:30.250+02:00",
      currency: "eur",
      customerId: customers[0],
      dealId: deals[0],
      attributes: { source: "checkout", campaign: "spring" },
    });

    const res = await push(body);

    expectStatus(res, 201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^evt_/),
      orgId: org.id,
      eventId: body.eventId,
      type: "sale",
      occurredAt: "2026-02-01T07:15:30.250Z",
      amount: 12_500,
      currency: "EUR",
      customerId: customers[0],
      dealId: deals[0],
      attributes: { campaign: "spring", source: "checkout" },
      receivedAt: expect.any(String),
    });
    const one = await call("GET", `/v1/events/${res.body.id}`);
    expectStatus(one, 200);
    expect(one.body).toEqual(res.body);
  });

  it("sent again is a duplicate: 200, the same event, nothing more written", async () => {
    const body = eventBody("lead");
    const first = await push(body);
    const before = await written();

    const again = await push(body);

    expectStatus(again, 200);
    expect(again.body).toEqual(first.body);
    expect(await written()).toEqual(before);
  });

  it("sent again in another spelling of the same payload is a duplicate", async () => {
    const body = eventBody("sale", { attributes: { a: "1", b: "2" } });
    const first = await push(body);

    const again = await push({
      ...body,
      occurredAt: "2026-01-15T11:30:00.000+01:00",
      currency: "eur",
      attributes: { b: "2", a: "1" },
    });

    expectStatus(again, 200);
    expect(again.body.id).toBe(first.body.id);
  });

  const changes: [string, Record<string, unknown>][] = [
    ["another amount", { amount: 12_501 }],
    ["another type", { type: "refund" }],
    ["another time", { occurredAt: "2026-01-15T10:30:01Z" }],
    ["another currency", { currency: "USD" }],
    ["a customer added", { customerId: "placeholder" }],
    ["an attribute added", { attributes: { extra: "x" } }],
  ];

  it.each(changes)("sent again with %s is 409 CONFLICT and changes nothing", async (_, change) => {
    const body = eventBody("sale");
    const first = await push(body);
    expectStatus(first, 201);
    const patch = change.customerId ? { customerId: customers[1] } : change;
    const before = await written();

    const res = await push({ ...body, ...patch });

    expectErrorBody(res, "CONFLICT");
    expect(await written()).toEqual(before);
  });

  it("that is invalid is 400 VALIDATION_FAILED and writes nothing", async () => {
    const before = await written();

    const res = await push(eventBody("sale", { amount: undefined, currency: undefined }));

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toContain("amount");
    expect(await written()).toEqual(before);
  });

  it("naming a customer that does not exist is 404 and writes nothing", async () => {
    const before = await written();

    const res = await push(eventBody("click", { customerId: unknownId("customer") }));

    expectErrorBody(res, "NOT_FOUND");
    expect(res.body.error.message).toBe("customer not found");
    expect(await written()).toEqual(before);
  });
});

const tooManyAttributes = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"]));

/** An item and the code and message fragment its rejection must carry. */
const REJECTIONS: { label: string; item: () => unknown; code: string; says: string }[] = [
  {
    label: "an empty eventId",
    item: () => eventBody("click", { eventId: "" }),
    code: "V",
    says: "eventId",
  },
  {
    label: "an eventId with a space",
    item: () => eventBody("click", { eventId: "a b" }),
    code: "V",
    says: "eventId",
  },
  {
    label: "an eventId of 129 characters",
    item: () => eventBody("click", { eventId: "x".repeat(129) }),
    code: "V",
    says: "eventId",
  },
  {
    label: "no eventId",
    item: () => eventBody("click", { eventId: undefined }),
    code: "V",
    says: "eventId",
  },
  { label: "an unknown type", item: () => eventBody("purchase"), code: "V", says: "type" },
  {
    label: "an occurredAt without offset",
    item: () => eventBody("click", { occurredAt: "2026-01-15T10:30:00" }),
    code: "V",
    says: "occurredAt",
  },
  {
    label: "an occurredAt without time",
    item: () => eventBody("click", { occurredAt: "2026-01-15" }),
    code: "V",
    says: "occurredAt",
  },
  {
    label: "an occurredAt on February 30",
    item: () => eventBody("click", { occurredAt: "2026-02-30T10:30:00Z" }),
    code: "V",
    says: "occurredAt",
  },
  {
    label: "an occurredAt with microseconds",
    item: () => eventBody("click", { occurredAt: "2026-01-15T10:30:00.123456Z" }),
    code: "V",
    says: "occurredAt",
  },
  {
    label: "an occurredAt an hour ahead",
    item: () => eventBody("click", { occurredAt: inMinutes(60) }),
    code: "V",
    says: "ahead",
  },
  {
    label: "an occurredAt before 2000",
    item: () => eventBody("click", { occurredAt: "1999-12-31T23:59:59Z" }),
    code: "V",
    says: "2000",
  },
  {
    label: "a sale without amount",
    item: () => eventBody("sale", { amount: undefined, currency: undefined }),
    code: "V",
    says: "amount",
  },
  {
    label: "a refund of 0",
    item: () => eventBody("refund", { amount: 0 }),
    code: "V",
    says: "amount",
  },
  {
    label: "a sale of -5",
    item: () => eventBody("sale", { amount: -5 }),
    code: "V",
    says: "amount",
  },
  {
    label: "a sale of 1.5",
    item: () => eventBody("sale", { amount: 1.5 }),
    code: "V",
    says: "amount",
  },
  {
    label: "an amount without currency",
    item: () => eventBody("sale", { currency: undefined }),
    code: "V",
    says: "currency",
  },
  {
    label: "a currency without amount",
    item: () => eventBody("click", { currency: "EUR" }),
    code: "V",
    says: "currency",
  },
  {
    label: "a currency that is not ISO 4217",
    item: () => eventBody("sale", { currency: "XQZ" }),
    code: "V",
    says: "currency",
  },
  {
    label: "21 attributes",
    item: () => eventBody("click", { attributes: tooManyAttributes }),
    code: "V",
    says: "attributes",
  },
  {
    label: "an attribute of 257 characters",
    item: () => eventBody("click", { attributes: { note: "n".repeat(257) } }),
    code: "V",
    says: "attributes",
  },
  {
    label: "an attribute holding an escape character",
    item: () => eventBody("click", { attributes: { note: "red\u001b[31m" } }),
    code: "V",
    says: "control",
  },
  {
    label: "an attribute holding a direction override",
    item: () => eventBody("click", { attributes: { note: "invoice \u202Efdp.exe" } }),
    code: "V",
    says: "format",
  },
  {
    label: "an attribute holding an unpaired surrogate",
    item: () => eventBody("click", { attributes: { note: "half \ud800" } }),
    code: "V",
    says: "surrogate",
  },
  {
    label: "a nested attribute",
    item: () => eventBody("click", { attributes: { nested: { a: "b" } } }),
    code: "V",
    says: "attributes",
  },
  {
    label: "an attribute key starting with a digit",
    item: () => eventBody("click", { attributes: { "1st": "x" } }),
    code: "V",
    says: "attributes",
  },
  {
    label: "an unknown field",
    item: () => ({ ...eventBody("click"), color: "blue" }),
    code: "V",
    says: "unknown field color",
  },
  { label: "a string instead of an object", item: () => "click", code: "V", says: "(root)" },
  {
    label: "a customer that does not exist",
    item: () => eventBody("click", { customerId: unknownId("customer") }),
    code: "NOT_FOUND",
    says: "customer not found",
  },
  {
    label: "a deal that does not exist",
    item: () => eventBody("click", { dealId: unknownId("deal") }),
    code: "NOT_FOUND",
    says: "deal not found",
  },
  {
    label: "a deal of another customer",
    item: () => eventBody("click", { customerId: customers[0], dealId: deals[1] }),
    code: "V",
    says: "dealId",
  },
];

describe("a batch item", () => {
  it.each(named(REJECTIONS, (r) => r.label))(
    "with %s is rejected on its own, with its code, and the rest is accepted",
    async (_, { item, code, says }) => {
      const good = eventBody("click");
      const before = (await eventRows(world, org.id)).length;

      const res = await push({ events: [good, item()] });

      expectStatus(res, 200);
      const [first, second] = res.body.results;
      expect(first).toMatchObject({ index: 0, eventId: good.eventId, outcome: "accepted" });
      expect(second).toMatchObject({ index: 1, outcome: "rejected", id: null });
      expect(second.error.code).toBe(code === "V" ? "VALIDATION_FAILED" : code);
      expect(second.error.message).toContain(says);
      expect(res.body.summary).toEqual({ accepted: 1, duplicate: 0, rejected: 1 });
      expect(await eventRows(world, org.id)).toHaveLength(before + 1);
    },
  );

  const accepted: [string, () => unknown][] = [
    ["a click with an amount", () => eventBody("click", { amount: 5, currency: "JPY" })],
    ["an occurredAt four minutes ahead", () => eventBody("click", { occurredAt: inMinutes(4) })],
    [
      "an occurredAt at 2000-01-01",
      () => eventBody("click", { occurredAt: "2000-01-01T00:00:00Z" }),
    ],
    [
      "a deal and its own customer",
      () => eventBody("signup", { customerId: customers[1], dealId: deals[1] }),
    ],
    ["a deal alone", () => eventBody("lead", { dealId: deals[0] })],
    [
      "null optional fields",
      () => eventBody("click", { amount: null, customerId: null, attributes: null }),
    ],
    [
      "20 attributes",
      () =>
        eventBody("click", {
          attributes: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "v"])),
        }),
    ],
  ];

  it.each(accepted)("with %s is accepted", async (_, item) => {
    const res = await push({ events: [item()] });

    expectStatus(res, 200);
    expect(res.body.results[0]).toMatchObject({ outcome: "accepted", error: null });
  });
});

describe("a batch", () => {
  it("reports each item as accepted, duplicate or rejected, in order", async () => {
    const existing = eventBody("sale");
    const changed = eventBody("sale");
    const stored = await push({ events: [existing, changed] });
    const [existingId] = stored.body.results.map((r: { id: string }) => r.id);
    const fresh = eventBody("signup");

    const res = await push({
      events: [fresh, existing, { ...changed, amount: 1 }, eventBody("purchase")],
    });

    expectStatus(res, 200);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      "accepted",
      "duplicate",
      "rejected",
      "rejected",
    ]);
    expect(res.body.results[1].id).toBe(existingId);
    expect(res.body.results[2].error.code).toBe("CONFLICT");
    expect(res.body.summary).toEqual({ accepted: 1, duplicate: 1, rejected: 2 });
  });

  it("holding one eventId twice, same payload, accepts one; the other points at it", async () => {
    const body = eventBody("lead");

    const res = await push({ events: [body, body] });

    const [first, second] = res.body.results;
    expect(first.outcome).toBe("accepted");
    expect(second).toMatchObject({ outcome: "duplicate", id: first.id });
    expect(
      (await eventRows(world, org.id)).filter((r) => r.external_id === body.eventId),
    ).toHaveLength(1);
  });

  it("holding one eventId with two payloads accepts the first, rejects the second", async () => {
    const body = eventBody("sale");

    const res = await push({ events: [body, { ...body, amount: 99 }] });

    const [first, second] = res.body.results;
    expect(first.outcome).toBe("accepted");
    expect(second).toMatchObject({ outcome: "rejected", id: null, error: { code: "CONFLICT" } });
    const row = (await eventRows(world, org.id)).find((r) => r.external_id === body.eventId);
    expect(row?.amount).toBe(12_500);
  });

  it("whose first item of an eventId is rejected accepts a later valid one", async () => {
    const eventId = uniqueEventId();

    const res = await push({
      events: [eventBody("sale", { eventId, amount: 0 }), eventBody("click", { eventId })],
    });

    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      "rejected",
      "accepted",
    ]);
  });

  it("of 1,000 items is taken in whole", async () => {
    const events = Array.from({ length: 1000 }, () => eventBody("click"));

    const res = await push({ events });

    expectStatus(res, 200);
    expect(res.body.summary).toEqual({ accepted: 1000, duplicate: 0, rejected: 0 });
  });

  it("of 1,001 items is 400 VALIDATION_FAILED and writes nothing", async () => {
    const events = Array.from({ length: 1001 }, () => eventBody("click"));
    const before = await written();

    const res = await push({ events });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toContain("events");
    expect(await written()).toEqual(before);
  });

  const malformed: [string, unknown][] = [
    ["no JSON", "{not json"],
    ["a bare array", [eventBody("click")]],
    ["a string", JSON.stringify("click")],
    ["no events", { events: [] }],
    ["events that are not an array", { events: eventBody("click") }],
    ["a field beside events", { events: [eventBody("click")], dryRun: true }],
  ];

  it.each(malformed)("that is %s is a 400 and writes nothing", async (_, body) => {
    const before = await written();

    const res = await push(body);

    expect(res.status).toBe(400);
    expectErrorBody(res);
    expect(await written()).toEqual(before);
  });
});

describe("the audit trail", () => {
  it("holds one events.ingested record per push, with its counts", async () => {
    const before = (await auditOf(world, org.id, "events.ingested")).length;
    const duplicate = eventBody("click");
    await push(duplicate);

    const res = await push({ events: [eventBody("click"), eventBody("lead"), duplicate, "x"] });

    expectStatus(res, 200);
    const records = await auditOf(world, org.id, "events.ingested");
    expect(records).toHaveLength(before + 2);
    const last = records.at(-1);
    expect(last?.request_id).toBe(res.headers.get("x-request-id"));
    expect(JSON.parse(last?.details ?? "{}")).toEqual({ accepted: 2, duplicate: 1, rejected: 1 });
  });

  it("gains nothing from a push that takes nothing in", async () => {
    const body = eventBody("click");
    await push(body);
    const before = await written();

    const res = await push({ events: [body, eventBody("purchase")] });

    expect(res.body.summary).toEqual({ accepted: 0, duplicate: 1, rejected: 1 });
    expect(await written()).toEqual(before);
  });
});

describe("webhook announcements", () => {
  let hooked: Tenant;
  let hookedToken: string;
  let sales: string;
  let clicks: string;

  beforeAll(async () => {
    hooked = await createTenant(world, "hooked");
    hookedToken = (await createKey(world, hooked.slug, { role: "partner_member" })).token;
    sales = await insertEndpoint(world, hooked.id, ["event.sale"]);
    clicks = await insertEndpoint(world, hooked.id, ["event.click", "event.sale"]);
  });

  const pushHooked = (body: unknown) =>
    world.request("POST", "/v1/events", { token: hookedToken, body });

  it("queue a delivery per subscribed endpoint and accepted event, none for the rest", async () => {
    const known = eventBody("sale");
    await pushHooked(known);
    const before = await outbox(world, hooked.id);

    const res = await pushHooked({
      events: [
        eventBody("sale"),
        eventBody("sale"),
        known,
        eventBody("sale", { amount: 0 }),
        eventBody("click"),
        eventBody("lead"),
      ],
    });

    expect(res.body.summary).toEqual({ accepted: 4, duplicate: 1, rejected: 1 });
    const after = await outbox(world, hooked.id);
    const messages = after.messages.filter((m) => !before.messages.some((b) => b.id === m.id));
    expect(messages.map((m) => m.event_type).sort()).toEqual([
      "event.click",
      "event.sale",
      "event.sale",
    ]);
    const deliveries = after.deliveries.filter((d) => messages.some((m) => m.id === d.message_id));
    const to = (endpoint: string) => deliveries.filter((d) => d.endpoint_id === endpoint).length;
    expect({ sales: to(sales), clicks: to(clicks) }).toEqual({ sales: 2, clicks: 3 });
    expect(deliveries.every((d) => d.status === "pending" && d.attempts === 0)).toBe(true);
  });

  it("carry the event exactly as GET answers it", async () => {
    const res = await pushHooked(eventBody("sale", { attributes: { plan: "pro" } }));
    expectStatus(res, 201);

    const { messages } = await outbox(world, hooked.id);
    const message = messages.find((m) => JSON.parse(m.payload).data.id === res.body.id);
    const shown = await world.request("GET", `/v1/events/${res.body.id}`, { token: hookedToken });

    expect(JSON.parse(message?.payload ?? "{}")).toEqual({
      type: "event.sale",
      timestamp: res.body.receivedAt,
      data: shown.body,
    });
  });

  it("are in the push's transaction: a failed push leaves no events, no messages", async () => {
    const before = {
      events: await eventRows(world, hooked.id),
      outbox: await outbox(world, hooked.id),
    };
    // Make the last write of the push, its audit record, fail inside the transaction.
    await sql`create trigger refuse_ingest_audit before insert on audit_log
      when new.action = 'events.ingested' begin select raise(abort, 'refused'); end`.execute(
      world.store.db,
    );
    try {
      const res = await pushHooked({ events: [eventBody("sale"), eventBody("click")] });

      expectErrorBody(res, "INTERNAL");
    } finally {
      await sql`drop trigger refuse_ingest_audit`.execute(world.store.db);
    }
    expect({
      events: await eventRows(world, hooked.id),
      outbox: await outbox(world, hooked.id),
    }).toEqual(before);
  });
});

describe("the list", () => {
  let listed: Tenant;
  let listToken: string;
  let ids: Map<string, string>;

  beforeAll(async () => {
    listed = await createTenant(world, "listed");
    listToken = (await createKey(world, listed.slug, { role: "partner_admin" })).token;
    const events = Array.from({ length: 9 }, (_, i) =>
      eventBody(["click", "lead", "sale"][i % 3] as string, {
        eventId: `list-${i}`,
        occurredAt: `2026-03-0${i + 1}T12:00:00Z`,
      }),
    );
    const res = await world.request("POST", "/v1/events", { token: listToken, body: { events } });
    expect(res.body.summary.accepted).toBe(9);
    ids = new Map(res.body.results.map((r: { eventId: string; id: string }) => [r.eventId, r.id]));
  });

  async function all(query: string): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${cursor}` : "";
      const res = await world.request("GET", `/v1/events?limit=2&${query}${suffix}`, {
        token: listToken,
      });
      expectStatus(res, 200);
      seen.push(...res.body.data.map((e: { eventId: string }) => e.eventId));
      cursor = res.body.nextCursor;
      expect(seen.length).toBeLessThan(50);
    } while (cursor);
    return seen;
  }

  const expected = (indexes: number[]) => indexes.map((i) => `list-${i}`);

  it.each([
    ["newest first by default", "", [8, 7, 6, 5, 4, 3, 2, 1, 0]],
    ["oldest first", "sort=occurredAt", [0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["of one type", "type=sale&sort=occurredAt", [2, 5, 8]],
    ["since a time, inclusive", "since=2026-03-07T12:00:00Z", [8, 7, 6]],
    ["until a time, exclusive", "until=2026-03-03T12:00:00Z", [1, 0]],
    [
      "between times in other offsets",
      "since=2026-03-04T13:00:00%2B01:00&until=2026-03-06T12:00:00.001Z",
      [5, 4, 3],
    ],
  ] as const)("pages through the events %s", async (_, query, indexes) => {
    expect(await all(query)).toEqual(expected([...indexes]));
  });

  it("filters by customer and deal", async () => {
    const res = await push(eventBody("click", { customerId: customers[1], dealId: deals[1] }));

    const byCustomer = await call("GET", `/v1/events?customerId=${customers[1]}`);
    const byDeal = await call("GET", `/v1/events?dealId=${deals[1]}`);

    expect(byCustomer.body.data.map((e: { id: string }) => e.id)).toContain(res.body.id);
    expect(byDeal.body.data.every((e: { dealId: string }) => e.dealId === deals[1])).toBe(true);
    expect(byDeal.body.data.length).toBeGreaterThan(0);
  });

  it.each([
    ["a since without offset", "since=2026-03-01T00:00:00"],
    ["an unknown type", "type=purchase"],
    ["a broken cursor", "cursor=xyz"],
    ["an unknown filter", "amount=5"],
  ])("refuses %s with 400", async (_, query) => {
    const res = await world.request("GET", `/v1/events?${query}`, { token: listToken });

    expectErrorBody(res, "VALIDATION_FAILED");
  });

  it("answers an unknown evt_ id with 404", async () => {
    const res = await world.request("GET", `/v1/events/${unknownId("event")}`, {
      token: listToken,
    });

    expectErrorBody(res, "NOT_FOUND");
    expect(ids.size).toBe(9);
  });
});

describe("idempotency, as a model", () => {
  it("holds for random pushes: first payload wins, repeats duplicate or conflict", async () => {
    const tenant = await createTenant(world, "model");
    const key = (await createKey(world, tenant.slug, { role: "partner_admin" })).token;
    const prefix = uniqueEventId("m");
    const item = fc.record({
      id: fc.integer({ min: 0, max: 5 }),
      variant: fc.integer({ min: 0, max: 2 }),
    });
    const toEvent = ({ id, variant }: { id: number; variant: number }) =>
      variant === 2
        ? eventBody("sale", { eventId: `${prefix}-${id}`, amount: 0 })
        : eventBody("sale", { eventId: `${prefix}-${id}`, amount: 100 + variant });
    // What the store must hold: the variant first accepted per eventId, and its id.
    const model = new Map<number, { variant: number; id: string }>();

    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
        const res = await world.request("POST", "/v1/events", {
          token: key,
          body: { events: items.map(toEvent) },
        });
        expectStatus(res, 200);
        items.forEach((it, i) => {
          const result = res.body.results[i];
          const held = model.get(it.id);
          if (it.variant === 2) expect(result.error?.code).toBe("VALIDATION_FAILED");
          else if (!held) {
            expect(result.outcome).toBe("accepted");
            model.set(it.id, { variant: it.variant, id: result.id });
          } else if (held.variant === it.variant) {
            expect(result).toMatchObject({ outcome: "duplicate", id: held.id });
          } else expect(result.error?.code).toBe("CONFLICT");
        });
      }),
      { numRuns: 40 },
    );

    const rows = await eventRows(world, tenant.id);
    expect(rows.map((r) => [r.id, r.amount]).sort()).toEqual(
      [...model.values()].map((m) => [m.id, 100 + m.variant]).sort(),
    );
  });
});
