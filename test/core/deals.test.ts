/**
 * Deals through the API: field rules, list filters, every sort in both
 * directions with keyset paging, and all-or-nothing, idempotent, dry-runnable
 * batches. Also two regressions found by the security suites: a batch that let
 * one kind of id pass as another into a foreign-key 500, and a key rotated twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DealTable } from "../../core/store/schema.ts";
import { createWorld, type World } from "../harness.ts";
import {
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  inviteUser,
  named,
  type Tenant,
  uniqueSlug,
  unknownId,
} from "../security/actors.ts";
import { digest, orgRows, seedCatalogue } from "../security/partner-fixtures.ts";

type Response = Awaited<ReturnType<World["request"]>>;

let world: World;
let products: string[];
let org: Tenant;
let token: string;
let customers: string[];
let users: string[];

beforeAll(async () => {
  world = await createWorld();
  products = await seedCatalogue(world, ["Gizmo", "Widget"]);
  org = await createTenant(world, "deals");
  token = (await createKey(world, org.slug, { role: "partner_admin" })).token;
  users = [];
  for (let i = 0; i < 2; i++) {
    users.push((await inviteUser(world, org.slug, "partner_member", token)).id);
  }
  customers = [];
  for (let i = 0; i < 3; i++) {
    const res = await call("POST", "/v1/customers", { externalRef: `c-${i}`, name: `C${i}` });
    expectStatus(res, 201);
    customers.push(res.body.id);
  }
});

afterAll(async () => {
  await world?.close();
});

function call(method: string, path: string, body?: unknown): Promise<Response> {
  return world.request(method, path, { token, ...(body === undefined ? {} : { body }) });
}

function product(i = 0): string {
  return products[i] as string;
}

/** A valid open deal; override any field. */
function deal(overrides: Record<string, unknown> = {}) {
  return {
    externalRef: uniqueSlug("d"),
    productId: product(),
    stage: "Prospecting",
    currency: "EUR",
    ...overrides,
  };
}

/** Everything the org holds, audit trail included, as one comparable value. */
async function state() {
  return digest(await orgRows(world, org.id));
}

async function dealRows(): Promise<DealTable[]> {
  return world.store.db.selectFrom("deals").selectAll().where("org_id", "=", org.id).execute();
}

describe("regressions found by the security suites", () => {
  // Reference checks once remembered verified ids without their kind, so an id
  // verified as one kind passed unchecked as another and hit a foreign key.
  const cases: { label: string; items: () => Record<string, unknown>[]; message: string }[] = [
    {
      label: "a product id as customerId",
      items: () => [deal({ customerId: product() })],
      message: "items.0: customer not found",
    },
    {
      label: "a product id as ownerUserId",
      items: () => [deal({ ownerUserId: product() })],
      message: "items.0: user not found",
    },
    {
      label: "a customer id, verified in an earlier item, as ownerUserId",
      items: () => [deal({ customerId: customers[0] }), deal({ ownerUserId: customers[0] })],
      message: "items.1: user not found",
    },
    {
      label: "a user id, verified in an earlier item, as customerId",
      items: () => [deal({ ownerUserId: users[0] }), deal({ customerId: users[0] })],
      message: "items.1: customer not found",
    },
    {
      label: "a product id, verified in an earlier item, as customerId",
      items: () => [deal(), deal({ customerId: product() })],
      message: "items.1: customer not found",
    },
  ];

  it.each(named(cases, (c) => c.label))(
    "a deal batch with %s answers 404 NOT_FOUND, not 500, and writes nothing",
    async (_, { items, message }) => {
      const before = await state();

      const res = await call("POST", "/v1/deals/batch", { items: items() });

      expectErrorBody(res, "NOT_FOUND");
      expect(res.body.error.message).toBe(message);
      expect(await state()).toEqual(before);
    },
  );

  it("a key already rotated, still in its grace period, cannot be rotated again", async () => {
    const old = await createKey(world, org.slug, { role: "partner_viewer" }, token);
    const first = await call("POST", `/v1/keys/${old.id}/rotate`, { gracePeriod: "1h" });
    expectStatus(first, 201);
    const before = await state();

    const again = await call("POST", `/v1/keys/${old.id}/rotate`, { gracePeriod: "1h" });

    expectErrorBody(again, "CONFLICT");
    expect(await state()).toEqual(before);
    const me = await world.request("GET", "/v1/me", { token: old.token });
    expect(me.status, "the old key still works in its grace period").toBe(200);
    const successor = await call("POST", `/v1/keys/${first.body.key.id}/rotate`, {});
    expect(successor.status, "the successor itself may be rotated").toBe(201);
  });
});

describe("deal fields", () => {
  const invalid: { label: string; fields: Record<string, unknown> }[] = [
    { label: "Won without closeDate", fields: { stage: "Won", amount: 100 } },
    { label: "Won without amount", fields: { stage: "Won", closeDate: "2024-03-01" } },
    { label: "Lost without closeDate", fields: { stage: "Lost" } },
    { label: "a negative amount", fields: { amount: -1 } },
    { label: "a fractional amount", fields: { amount: 1.5 } },
    { label: "an impossible date 2017-02-30", fields: { engageDate: "2017-02-30" } },
    { label: "an impossible closeDate 2017-02-30", fields: { closeDate: "2017-02-30" } },
    { label: "a month 13", fields: { engageDate: "2017-13-01" } },
    { label: "a date not in YYYY-MM-DD", fields: { engageDate: "01/02/2017" } },
    {
      label: "a closeDate before engageDate",
      fields: { engageDate: "2024-02-01", closeDate: "2024-01-31" },
    },
    { label: "an unknown currency QQQ", fields: { currency: "QQQ" } },
    { label: "a currency of four letters", fields: { currency: "EURO" } },
    { label: "an unknown stage", fields: { stage: "Dreaming" } },
    { label: "an unknown field", fields: { colour: "red" } },
  ];
  const ways = ["create", "batch item", "update"] as const;
  const rows = invalid.flatMap((c) => ways.map((way) => ({ ...c, way })));

  it.each(named(rows, (r) => `${r.label} (${r.way})`))(
    "refuse %s with 400 VALIDATION_FAILED and write nothing",
    async (_, { fields, way }) => {
      const existing = await call("POST", "/v1/deals", deal());
      expectStatus(existing, 201);
      const before = await state();

      let res: Response;
      if (way === "create") res = await call("POST", "/v1/deals", deal(fields));
      else if (way === "update") res = await call("PATCH", `/v1/deals/${existing.body.id}`, fields);
      else res = await call("POST", "/v1/deals/batch", { items: [deal(), deal(fields)] });

      expectErrorBody(res, "VALIDATION_FAILED");
      expect(await state()).toEqual(before);
    },
  );

  it("take a lower-case currency and store it upper-case: create, update, batch", async () => {
    const created = await call("POST", "/v1/deals", deal({ currency: "eur" }));
    const updated = await call("PATCH", `/v1/deals/${created.body.id}`, { currency: "usd" });
    const ref = uniqueSlug("lower");
    const batch = await call("POST", "/v1/deals/batch", {
      items: [deal({ externalRef: ref, currency: "jpy" })],
    });
    const fromBatch = await call("GET", `/v1/deals/${batch.body.results[0].id}`);

    expectStatus(created, 201);
    expect(created.body.currency).toBe("EUR");
    expect(updated.body.currency).toBe("USD");
    expect(fromBatch.body.currency).toBe("JPY");
    const stored = (await dealRows()).find((d) => d.id === created.body.id);
    expect(stored?.currency).toBe("USD");
  });

  it("accept a Won deal with a closeDate and an amount of zero", async () => {
    const res = await call(
      "POST",
      "/v1/deals",
      deal({ stage: "Won", closeDate: "2024-02-29", amount: 0 }),
    );

    expectStatus(res, 201);
    expect(res.body).toMatchObject({ stage: "Won", closeDate: "2024-02-29", amount: 0 });
  });
});

describe("deal batches", () => {
  it("are all or nothing: a bad last item leaves earlier items unwritten", async () => {
    const existing = await call("POST", "/v1/deals", deal({ amount: 10 }));
    const before = await state();

    const res = await call("POST", "/v1/deals/batch", {
      items: [
        deal(),
        deal({ externalRef: existing.body.externalRef, amount: 20 }),
        deal({ customerId: unknownId("customer") }),
      ],
    });

    expectErrorBody(res, "NOT_FOUND");
    expect(res.body.error.message).toBe("items.2: customer not found");
    expect(await state()).toEqual(before);
    expect((await call("GET", `/v1/deals/${existing.body.id}`)).body.amount).toBe(10);
  });

  it("refuse an external reference repeated in one batch, writing nothing", async () => {
    const ref = uniqueSlug("twice");
    const before = await state();

    const res = await call("POST", "/v1/deals/batch", {
      items: [deal({ externalRef: ref }), deal({ externalRef: ref, amount: 5 })],
    });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(await state()).toEqual(before);
  });

  it("are idempotent: the same batch again is all unchanged and writes nothing", async () => {
    const items = [
      deal({ currency: "eur", customerId: customers[0], ownerUserId: users[0] }),
      deal({ stage: "Won", closeDate: "2024-03-01", amount: 990, engageDate: "2024-01-02" }),
      deal({ stage: "Lost", closeDate: "2024-03-02", amount: null, customerId: null }),
    ];
    const first = await call("POST", "/v1/deals/batch", { items });
    expectStatus(first, 200);
    const before = await state();

    const second = await call("POST", "/v1/deals/batch", { items });

    expectStatus(second, 200);
    expect(first.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      "created",
      "created",
      "created",
    ]);
    expect(second.body.results).toEqual(
      first.body.results.map((r: object) => ({ ...r, outcome: "unchanged" })),
    );
    expect(await state()).toEqual(before);
  });

  it("with dryRun report what would happen and write nothing", async () => {
    const existing = await call("POST", "/v1/deals", deal({ amount: 10 }));
    const same = await call("POST", "/v1/deals", deal());
    const fresh = uniqueSlug("dry");
    const before = await state();

    const res = await call("POST", "/v1/deals/batch", {
      dryRun: true,
      items: [
        deal({ externalRef: fresh }),
        deal({ externalRef: existing.body.externalRef, amount: 20 }),
        deal({ externalRef: same.body.externalRef }),
      ],
    });

    expectStatus(res, 200);
    expect(res.body.results).toEqual([
      { externalRef: fresh, id: null, outcome: "created" },
      { externalRef: existing.body.externalRef, id: existing.body.id, outcome: "updated" },
      { externalRef: same.body.externalRef, id: same.body.id, outcome: "unchanged" },
    ]);
    expect(await state()).toEqual(before);
  });

  it("with dryRun still refuse a reference that is not the org's", async () => {
    const before = await state();

    const res = await call("POST", "/v1/deals/batch", {
      dryRun: true,
      items: [deal({ ownerUserId: unknownId("user") })],
    });

    expectErrorBody(res, "NOT_FOUND");
    expect(await state()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// Listing: its own org, so the rows are exactly the ones below.

let listOrg: Tenant;
let listToken: string;
let listCustomers: string[];
let listUsers: string[];
let listed: DealTable[];

/** Ties in every sort key, missing values, and references of every kind. */
const LIST_DEALS: Record<string, unknown>[] = [
  { stage: "Prospecting" },
  { stage: "Engaging", amount: 500, engageDate: "2024-02-01" },
  { stage: "Won", amount: 500, engageDate: "2024-02-01", closeDate: "2024-03-01" },
  { stage: "Won", amount: 0, engageDate: "2024-01-10", closeDate: "2024-03-01" },
  { stage: "Lost", closeDate: "2024-04-15" },
  { stage: "Lost", amount: 1200, engageDate: "2023-12-31", closeDate: "2024-01-01" },
  { stage: "Prospecting", amount: 1200, engageDate: "2024-05-05" },
  { stage: "Engaging", engageDate: "2024-02-01" },
  { stage: "Won", amount: 75, closeDate: "2024-01-01" },
  { stage: "Lost", amount: 500, engageDate: "2024-03-03", closeDate: "2024-03-31" },
  { stage: "Prospecting", amount: 3 },
  { stage: "Won", amount: 1200, engageDate: "2024-02-01", closeDate: "2024-12-31" },
];
const LIST_REFS = [
  ...["m-01", "B-02", "a-03", "m-04", "Z-05", "b-06"],
  ...["m-07", "_08", "0-09", "m-10", "m-1", "~12"],
];

beforeAll(async () => {
  listOrg = await createTenant(world, "lists");
  listToken = (await createKey(world, listOrg.slug, { role: "partner_admin" })).token;
  listUsers = [(await inviteUser(world, listOrg.slug, "partner_member", listToken)).id];
  listCustomers = [];
  for (let i = 0; i < 2; i++) {
    const res = await world.request("POST", "/v1/customers", {
      token: listToken,
      body: { externalRef: `lc-${i}`, name: `LC${i}` },
    });
    expectStatus(res, 201);
    listCustomers.push(res.body.id);
  }
  const items = LIST_DEALS.map((fields, i) => ({
    externalRef: LIST_REFS[i] as string,
    productId: product(i % 2),
    customerId: i % 3 === 2 ? null : listCustomers[i % 2],
    ownerUserId: i % 2 === 0 ? listUsers[0] : null,
    currency: "EUR",
    ...fields,
  }));
  // Half in one batch (equal createdAt likely), half one by one.
  const batch = await world.request("POST", "/v1/deals/batch", {
    token: listToken,
    body: { items: items.slice(0, 6) },
  });
  expectStatus(batch, 200);
  for (const item of items.slice(6)) {
    expectStatus(await world.request("POST", "/v1/deals", { token: listToken, body: item }), 201);
  }
  listed = await world.store.db
    .selectFrom("deals")
    .selectAll()
    .where("org_id", "=", listOrg.id)
    .execute();
});

type SortField = "createdAt" | "externalRef" | "engageDate" | "closeDate" | "amount";

/** The documented order: missing dates and amounts sort before any value; ties by id. */
const SORT_KEY: Record<SortField, (d: DealTable) => string | number> = {
  createdAt: (d) => d.created_at,
  externalRef: (d) => d.external_ref,
  engageDate: (d) => d.engage_date ?? "",
  closeDate: (d) => d.close_date ?? "",
  amount: (d) => d.amount ?? -1,
};

function sorted(rows: DealTable[], field: SortField, desc: boolean): string[] {
  const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  return [...rows]
    .sort((p, q) => {
      const order = cmp(SORT_KEY[field](p), SORT_KEY[field](q)) || cmp(p.id, q.id);
      return desc ? -order : order;
    })
    .map((d) => d.id);
}

async function listAll(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const after: string = cursor === null ? "" : `&cursor=${cursor}`;
    const res = await world.request("GET", `/v1/deals?limit=${limit}&${query}${after}`, {
      token: listToken,
    });
    expectStatus(res, 200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.data.map((d: { id: string }) => d.id));
    cursor = res.body.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(50);
  } while (cursor !== null);
  return { ids, pages };
}

describe("listing deals", () => {
  it("starts from rows with ties and gaps in every sort key", () => {
    expect(listed).toHaveLength(LIST_DEALS.length);
    for (const field of ["engage_date", "close_date", "amount"] as const) {
      const values = listed.map((d) => d[field]);
      expect(values).toContain(null);
      expect(new Set(values).size).toBeLessThan(values.length - 1);
    }
  });

  const sorts = (["createdAt", "externalRef", "engageDate", "closeDate", "amount"] as const)
    .flatMap((field) => [false, true].map((desc) => ({ field, desc })))
    .flatMap((s) => [1, 5].map((limit) => ({ ...s, limit })));

  it.each(named(sorts, (s) => `${s.desc ? "-" : ""}${s.field} in pages of ${s.limit}`))(
    "sorted by %s return every row exactly once, in order",
    async (_, { field, desc, limit }) => {
      const { ids, pages } = await listAll(`sort=${desc ? "-" : ""}${field}`, limit);

      expect(ids).toEqual(sorted(listed, field, desc));
      expect(pages).toBe(Math.ceil(listed.length / limit));
    },
  );

  const filters: { label: string; query: () => string; keep: (d: DealTable) => boolean }[] = [
    ...(["Prospecting", "Engaging", "Won", "Lost"] as const).map((stage) => ({
      label: `stage ${stage}`,
      query: () => `stage=${stage}`,
      keep: (d: DealTable) => d.stage === stage,
    })),
    ...[0, 1].map((i) => ({
      label: `product ${i}`,
      query: () => `productId=${product(i)}`,
      keep: (d: DealTable) => d.product_id === product(i),
    })),
    ...[0, 1].map((i) => ({
      label: `customer ${i}`,
      query: () => `customerId=${listCustomers[i]}`,
      keep: (d: DealTable) => d.customer_id === listCustomers[i],
    })),
    {
      label: "owner",
      query: () => `ownerUserId=${listUsers[0]}`,
      keep: (d) => d.owner_user_id === listUsers[0],
    },
    {
      label: "closedFrom 2024-03-01 (inclusive)",
      query: () => "closedFrom=2024-03-01",
      keep: (d) => d.close_date !== null && d.close_date >= "2024-03-01",
    },
    {
      label: "closedTo 2024-03-01 (inclusive)",
      query: () => "closedTo=2024-03-01",
      keep: (d) => d.close_date !== null && d.close_date <= "2024-03-01",
    },
    {
      label: "closedFrom and closedTo, one quarter",
      query: () => "closedFrom=2024-01-01&closedTo=2024-03-31",
      keep: (d) =>
        d.close_date !== null && d.close_date >= "2024-01-01" && d.close_date <= "2024-03-31",
    },
    {
      label: "engagedFrom and engagedTo",
      query: () => "engagedFrom=2024-02-01&engagedTo=2024-03-03",
      keep: (d) =>
        d.engage_date !== null && d.engage_date >= "2024-02-01" && d.engage_date <= "2024-03-03",
    },
    {
      label: "stage Won and product 0 and closedTo",
      query: () => `stage=Won&productId=${product(0)}&closedTo=2024-06-30`,
      keep: (d) =>
        d.stage === "Won" &&
        d.product_id === product(0) &&
        d.close_date !== null &&
        d.close_date <= "2024-06-30",
    },
  ];

  it.each(named(filters, (f) => f.label))(
    "filtered by %s return exactly the matching rows, in every sort",
    async (_, { query, keep }) => {
      const expected = listed.filter(keep);
      expect(expected.length, "the filter keeps some rows").toBeGreaterThan(0);
      expect(expected.length, "the filter drops some rows").toBeLessThan(listed.length);

      for (const sort of ["createdAt", "-amount", "closeDate"] as const) {
        const field = sort.replace("-", "") as SortField;
        const { ids } = await listAll(`${query()}&sort=${sort}`, 2);

        expect(ids).toEqual(sorted(expected, field, sort.startsWith("-")));
      }
    },
  );

  const refused: { label: string; query: string }[] = [
    { label: "an unknown filter", query: "colour=red" },
    { label: "an unknown sort field", query: "sort=colour" },
    { label: "an unknown descending sort field", query: "sort=-colour" },
    { label: "a sort on a field that is not sortable", query: "sort=stage" },
    { label: "an unknown stage", query: "stage=Dreaming" },
    { label: "a closedFrom that is not a date", query: "closedFrom=yesterday" },
    { label: "a limit of 0", query: "limit=0" },
    { label: "a cursor that is not one", query: "cursor=bm9wZQ" },
  ];

  it.each(named(refused, (r) => r.label))(
    "refuse %s with 400 VALIDATION_FAILED",
    async (_, { query }) => {
      const res = await world.request("GET", `/v1/deals?${query}`, { token: listToken });

      expectErrorBody(res, "VALIDATION_FAILED");
    },
  );
});
