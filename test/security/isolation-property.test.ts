/**
 * Random sequences of partner commands against three tenants, A, B and C,
 * each acting with its own partner_admin key. Commands aim at ids drawn from
 * every tenant's pool and at random ids, pass `org` naming another tenant,
 * and put another tenant's customer or user ids into deal bodies. After every
 * command: no answer names another tenant's id or slug, no other tenant's rows
 * changed, nothing answered 500, and anything aimed outside the actor's own
 * tenant was answered as missing. Failures shrink to the few commands that
 * matter, printed as `A getDeal(B's deal #1)`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { expectStatus, unknownId } from "./actors.ts";
import {
  dealBody,
  digest,
  foreignIdsIn,
  orgRows,
  ownersOfIds,
  type PartnerFixture,
  seedCatalogue,
  seedPartner,
} from "./partner-fixtures.ts";

const NAMES = ["A", "B", "C"] as const;
type Tenant = 0 | 1 | 2;

/** Whose id a command aims at, relative to the actor: its own, the next or previous tenant's. */
type Whose = "own" | "next" | "prev" | "random";
interface Ref {
  whose: Whose;
  index: number;
}
type OrgArg = "none" | "own slug" | "own id" | "next slug" | "prev id" | "random";

type Command =
  | { op: "listCustomers"; sort: string }
  | { op: "getCustomer" | "deleteCustomer"; target: Ref }
  | { op: "createCustomer"; externalRef: string }
  | { op: "updateCustomer"; target: Ref; externalRef: string | null }
  | { op: "upsertCustomers"; externalRefs: string[]; name: string; dryRun: boolean }
  | { op: "listDeals"; sort: string; filter: { customerId: Ref } | { ownerUserId: Ref } | null }
  | { op: "getDeal" | "deleteDeal"; target: Ref }
  | { op: "createDeal"; item: DealItem }
  | { op: "updateDeal"; target: Ref; customer: Ref | null; owner: Ref | null; amount: number }
  | { op: "upsertDeals"; items: DealItem[]; dryRun: boolean }
  | { op: "listAudit" };

interface DealItem {
  externalRef: string;
  stage: "Prospecting" | "Won";
  customer: Ref | null;
  owner: Ref | null;
}

type Step = Command & { actor: Tenant; org: OrgArg };

/** Everything one run acts on: a fresh world, three tenants, and the ids each one owns. */
interface Real {
  world: World;
  products: string[];
  tenants: PartnerFixture[];
  /** Per tenant, in the order they were made; deleted ones stay, to be aimed at again. */
  pools: { customers: string[]; deals: string[]; users: string[] }[];
}

// ---------------------------------------------------------------------------
// Arbitraries

const refArb: fc.Arbitrary<Ref> = fc.record({
  whose: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Whose>("own") },
    { weight: 2, arbitrary: fc.constant<Whose>("next") },
    { weight: 2, arbitrary: fc.constant<Whose>("prev") },
    { weight: 1, arbitrary: fc.constant<Whose>("random") },
  ),
  index: fc.nat({ max: 5 }),
});
const maybeRef = fc.option(refArb, { nil: null, freq: 2 });
const orgArb: fc.Arbitrary<OrgArg> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<OrgArg>("none") },
  { weight: 1, arbitrary: fc.constant<OrgArg>("own slug") },
  { weight: 1, arbitrary: fc.constant<OrgArg>("own id") },
  { weight: 2, arbitrary: fc.constant<OrgArg>("next slug") },
  { weight: 2, arbitrary: fc.constant<OrgArg>("prev id") },
  { weight: 1, arbitrary: fc.constant<OrgArg>("random") },
);
/** External references every tenant also seeded, so batches collide across tenants. */
const customerRef = fc.constantFrom("cust-0", "cust-1", "cust-2", "cust-7");
const dealRef = fc.constantFrom("deal-0", "deal-1", "deal-2", "deal-7");
const dealItem: fc.Arbitrary<DealItem> = fc.record({
  externalRef: dealRef,
  stage: fc.constantFrom("Prospecting" as const, "Won" as const),
  customer: maybeRef,
  owner: maybeRef,
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant("listCustomers" as const),
    sort: fc.constantFrom("name", "-externalRef", "createdAt"),
  }),
  fc.record({
    op: fc.constantFrom("getCustomer" as const, "deleteCustomer" as const),
    target: refArb,
  }),
  fc.record({ op: fc.constant("createCustomer" as const), externalRef: customerRef }),
  fc.record({
    op: fc.constant("updateCustomer" as const),
    target: refArb,
    externalRef: fc.option(customerRef, { nil: null }),
  }),
  fc.record({
    op: fc.constant("upsertCustomers" as const),
    externalRefs: fc.uniqueArray(customerRef, { minLength: 1, maxLength: 3 }),
    name: fc.constantFrom("Alpha", "Beta"),
    dryRun: fc.boolean(),
  }),
  fc.record({
    op: fc.constant("listDeals" as const),
    sort: fc.constantFrom("createdAt", "-amount", "externalRef"),
    filter: fc.oneof(
      fc.constant(null),
      fc.record({ customerId: refArb }),
      fc.record({ ownerUserId: refArb }),
    ),
  }),
  fc.record({ op: fc.constantFrom("getDeal" as const, "deleteDeal" as const), target: refArb }),
  fc.record({ op: fc.constant("createDeal" as const), item: dealItem }),
  fc.record({
    op: fc.constant("updateDeal" as const),
    target: refArb,
    customer: maybeRef,
    owner: maybeRef,
    amount: fc.nat({ max: 1000 }),
  }),
  fc.record({
    op: fc.constant("upsertDeals" as const),
    items: fc.uniqueArray(dealItem, {
      minLength: 1,
      maxLength: 3,
      selector: (item) => item.externalRef,
    }),
    dryRun: fc.boolean(),
  }),
  fc.record({ op: fc.constant("listAudit" as const) }),
);

const stepArb: fc.Arbitrary<Step> = fc
  .tuple(fc.constantFrom<Tenant>(0, 1, 2), orgArb, commandArb)
  .map(([actor, org, command]) => ({ ...command, actor, org }));

// ---------------------------------------------------------------------------
// Resolving a step against the run

function tenantOf(actor: Tenant, whose: Exclude<Whose, "random">): Tenant {
  const shift = whose === "own" ? 0 : whose === "next" ? 1 : 2;
  return ((actor + shift) % 3) as Tenant;
}

type Kind = "customers" | "deals" | "users";
const KIND_ID = { customers: "customer", deals: "deal", users: "user" } as const;

/** The id a ref names now, and whether it lies outside the actor's tenant. */
function resolve(real: Real, actor: Tenant, ref: Ref, kind: Kind) {
  if (ref.whose === "random") return { id: unknownId(KIND_ID[kind]), outside: true };
  const pool = real.pools[tenantOf(actor, ref.whose)]?.[kind] ?? [];
  const id = pool[ref.index % Math.max(1, pool.length)];
  if (id === undefined) return { id: unknownId(KIND_ID[kind]), outside: true };
  return { id, outside: ref.whose !== "own" };
}

function orgQuery(real: Real, step: Step): { org?: string; outside: boolean } {
  const tenant = (t: Tenant) => (real.tenants[t] as PartnerFixture).tenant;
  switch (step.org) {
    case "none":
      return { outside: false };
    case "own slug":
      return { org: tenant(step.actor).slug, outside: false };
    case "own id":
      return { org: tenant(step.actor).id, outside: false };
    case "next slug":
      return { org: tenant(tenantOf(step.actor, "next")).slug, outside: true };
    case "prev id":
      return { org: tenant(tenantOf(step.actor, "prev")).id, outside: true };
    case "random":
      return { org: unknownId("org"), outside: true };
  }
}

interface Request {
  method: string;
  path: string;
  body?: unknown;
  /** What the command aims outside the actor's tenant: it must be answered as missing. */
  outside: "path" | "body" | "filter" | null;
}

function dealItemBody(real: Real, actor: Tenant, item: DealItem) {
  const customer = item.customer && resolve(real, actor, item.customer, "customers");
  const owner = item.owner && resolve(real, actor, item.owner, "users");
  const body = dealBody(item.externalRef, real.products[0] as string, item.stage, {
    customerId: customer ? customer.id : null,
    ownerUserId: owner ? owner.id : null,
  });
  return { body, outside: Boolean(customer?.outside || owner?.outside) };
}

function requestFor(real: Real, step: Step): Request {
  const { actor } = step;
  const target = (ref: Ref, kind: Kind) => resolve(real, actor, ref, kind);
  switch (step.op) {
    case "listCustomers":
      return { method: "GET", path: `/v1/customers?sort=${step.sort}`, outside: null };
    case "getCustomer":
    case "deleteCustomer": {
      const t = target(step.target, "customers");
      const method = step.op === "getCustomer" ? "GET" : "DELETE";
      return { method, path: `/v1/customers/${t.id}`, outside: t.outside ? "path" : null };
    }
    case "createCustomer":
      return {
        method: "POST",
        path: "/v1/customers",
        body: { externalRef: step.externalRef, name: "Created" },
        outside: null,
      };
    case "updateCustomer": {
      const t = target(step.target, "customers");
      return {
        method: "PATCH",
        path: `/v1/customers/${t.id}`,
        body: { name: "Updated", ...(step.externalRef ? { externalRef: step.externalRef } : {}) },
        outside: t.outside ? "path" : null,
      };
    }
    case "upsertCustomers":
      return {
        method: "POST",
        path: "/v1/customers/batch",
        body: {
          items: step.externalRefs.map((externalRef) => ({ externalRef, name: step.name })),
          dryRun: step.dryRun,
        },
        outside: null,
      };
    case "listDeals": {
      const filter = step.filter;
      if (filter === null) {
        return { method: "GET", path: `/v1/deals?sort=${step.sort}`, outside: null };
      }
      const [name, ref] =
        "customerId" in filter
          ? (["customerId", target(filter.customerId, "customers")] as const)
          : (["ownerUserId", target(filter.ownerUserId, "users")] as const);
      return {
        method: "GET",
        path: `/v1/deals?sort=${step.sort}&${name}=${ref.id}`,
        outside: ref.outside ? "filter" : null,
      };
    }
    case "getDeal":
    case "deleteDeal": {
      const t = target(step.target, "deals");
      const method = step.op === "getDeal" ? "GET" : "DELETE";
      return { method, path: `/v1/deals/${t.id}`, outside: t.outside ? "path" : null };
    }
    case "createDeal": {
      const { body, outside } = dealItemBody(real, actor, step.item);
      return { method: "POST", path: "/v1/deals", body, outside: outside ? "body" : null };
    }
    case "updateDeal": {
      const t = target(step.target, "deals");
      const customer = step.customer && target(step.customer, "customers");
      const owner = step.owner && target(step.owner, "users");
      return {
        method: "PATCH",
        path: `/v1/deals/${t.id}`,
        body: {
          amount: step.amount,
          ...(customer ? { customerId: customer.id } : {}),
          ...(owner ? { ownerUserId: owner.id } : {}),
        },
        outside: t.outside ? "path" : customer?.outside || owner?.outside ? "body" : null,
      };
    }
    case "upsertDeals": {
      const items = step.items.map((item) => dealItemBody(real, actor, item));
      return {
        method: "POST",
        path: "/v1/deals/batch",
        body: { items: items.map((i) => i.body), dryRun: step.dryRun },
        outside: items.some((i) => i.outside) ? "body" : null,
      };
    }
    case "listAudit":
      return { method: "GET", path: "/v1/audit?limit=500", outside: null };
  }
}

/** Adds the ids an answer created to the actor's pools, so later commands aim at them. */
function remember(real: Real, step: Step, status: number, body: any): void {
  const pools = real.pools[step.actor];
  if (!pools || status >= 300) return;
  const add = (list: string[], id: unknown) => {
    if (typeof id === "string" && !list.includes(id)) list.push(id);
  };
  if (step.op === "createCustomer") add(pools.customers, body.id);
  if (step.op === "createDeal") add(pools.deals, body.id);
  if (step.op === "upsertCustomers") for (const r of body.results) add(pools.customers, r.id);
  if (step.op === "upsertDeals") for (const r of body.results) add(pools.deals, r.id);
}

// ---------------------------------------------------------------------------
// Printing, so a shrunk failure reads as a short script

function refText(step: Step, ref: Ref, kind: string): string {
  if (ref.whose === "random") return `random ${kind}`;
  return `${NAMES[tenantOf(step.actor, ref.whose)]}'s ${kind} #${ref.index}`;
}

function describeStep(step: Step): string {
  const r = (ref: Ref | null, kind: string) => (ref ? refText(step, ref, kind) : "none");
  const item = (i: DealItem) =>
    `${i.externalRef} ${i.stage} customer=${r(i.customer, "customer")} owner=${r(i.owner, "user")}`;
  const args = (() => {
    switch (step.op) {
      case "listCustomers":
        return `sort=${step.sort}`;
      case "getCustomer":
      case "deleteCustomer":
        return r(step.target, "customer");
      case "createCustomer":
        return step.externalRef;
      case "updateCustomer":
        return `${r(step.target, "customer")}, externalRef=${step.externalRef ?? "same"}`;
      case "upsertCustomers":
        return `${step.externalRefs.join(" ")} name=${step.name}${step.dryRun ? " dryRun" : ""}`;
      case "listDeals": {
        const f = step.filter;
        const filter = !f
          ? ""
          : "customerId" in f
            ? `, customerId=${r(f.customerId, "customer")}`
            : `, ownerUserId=${r(f.ownerUserId, "user")}`;
        return `sort=${step.sort}${filter}`;
      }
      case "getDeal":
      case "deleteDeal":
        return r(step.target, "deal");
      case "createDeal":
        return item(step.item);
      case "updateDeal":
        return [
          r(step.target, "deal"),
          `customer=${r(step.customer, "customer")}`,
          `owner=${r(step.owner, "user")}`,
        ].join(", ");
      case "upsertDeals":
        return `${step.items.map(item).join("; ")}${step.dryRun ? " dryRun" : ""}`;
      case "listAudit":
        return "";
    }
  })();
  const org = step.org.replace(/^(next|prev)/, (whose) => {
    return NAMES[tenantOf(step.actor, whose as "next" | "prev")] as string;
  });
  return `${NAMES[step.actor]} ${step.op}(${args})${step.org === "none" ? "" : ` org=${org}`}`;
}

// ---------------------------------------------------------------------------
// Running and checking one command

async function digests(real: Real) {
  return Promise.all(real.tenants.map(async (t) => digest(await orgRows(real.world, t.tenant.id))));
}

const READS = new Set(["listCustomers", "getCustomer", "listDeals", "getDeal", "listAudit"]);

class StepCommand implements fc.AsyncCommand<object, Real> {
  constructor(readonly step: Step) {}

  check(): boolean {
    return true;
  }

  async run(_model: object, real: Real): Promise<void> {
    const { step } = this;
    const actorOrg = (real.tenants[step.actor] as PartnerFixture).tenant.id;
    const request = requestFor(real, step);
    const org = orgQuery(real, step);
    const path =
      org.org === undefined
        ? request.path
        : `${request.path}${request.path.includes("?") ? "&" : "?"}org=${org.org}`;
    const before = await digests(real);

    const res = await real.world.request(request.method, path, {
      token: (real.tenants[step.actor] as PartnerFixture).admin.token,
      ...(request.body === undefined ? {} : { body: request.body }),
    });

    const context = `${describeStep(step)} → ${res.status} ${JSON.stringify(res.body)}`;
    expect(res.status, context).toBeLessThan(500);

    const owners = await ownersOfIds(real.world);
    expect(foreignIdsIn(res.body, owners, actorOrg), context).toEqual([]);

    const after = await digests(real);
    for (const t of [0, 1, 2] as const) {
      if (t !== step.actor)
        expect(after[t], `${NAMES[t]}'s rows after ${context}`).toEqual(before[t]);
    }
    const dryRun = "dryRun" in step && step.dryRun;
    if (res.status >= 400 || READS.has(step.op) || dryRun) {
      expect(after[step.actor], `own rows after ${context}`).toEqual(before[step.actor]);
    }

    if (org.outside) {
      expect(res.status, context).toBe(404);
      expect(res.body.error, context).toMatchObject({
        code: "NOT_FOUND",
        message: "org not found",
      });
    } else if (request.outside === "filter") {
      expect(res.status, context).toBe(200);
      expect(res.body.data, context).toEqual([]);
    } else if (request.outside !== null) {
      expect(res.status, context).toBe(404);
      expect(res.body.error?.code, context).toBe("NOT_FOUND");
    }
    remember(real, step, res.status, res.body);
  }

  toString(): string {
    return describeStep(this.step);
  }
}

async function setup(): Promise<Real> {
  const world = await createWorld();
  const products = await seedCatalogue(world, ["Gizmo"]);
  const tenants: PartnerFixture[] = [];
  for (const name of NAMES) {
    const counts = { users: 2, keys: 0, customers: 3, deals: 3 };
    tenants.push(await seedPartner(world, `prop-${name.toLowerCase()}`, products, counts));
  }
  const pools = tenants.map((t) => ({
    customers: [...t.customers],
    deals: [...t.deals],
    users: [...t.users],
  }));
  return { world, products, tenants, pools };
}

describe("random command sequences across three tenants", () => {
  it("never show, change or reach another tenant's rows, and never answer 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands([stepArb.map((step) => new StepCommand(step))], {
          maxCommands: 60,
          size: "max",
        }),
        async (commands) => {
          const real = await setup();
          try {
            await fc.asyncModelRun(() => ({ model: {}, real }), commands);
          } finally {
            await real.world.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("prints a step as a readable command", () => {
    const step: Step = {
      actor: 0,
      org: "next slug",
      op: "updateDeal",
      target: { whose: "prev", index: 1 },
      customer: { whose: "own", index: 0 },
      owner: null,
      amount: 5,
    };

    expect(describeStep(step)).toBe(
      "A updateDeal(C's deal #1, customer=A's customer #0, owner=none) org=B slug",
    );
  });

  it("seeds three tenants whose ids all differ", async () => {
    const real = await setup();
    try {
      const ids = real.tenants.flatMap((t) => [
        t.tenant.id,
        ...t.customers,
        ...t.deals,
        ...t.users,
      ]);
      expect(new Set(ids).size).toBe(ids.length);
      const res = await real.world.request("GET", "/v1/deals", {
        token: (real.tenants[0] as PartnerFixture).admin.token,
      });
      expectStatus(res, 200);
      expect(res.body.data).toHaveLength(3);
    } finally {
      await real.world.close();
    }
  });
});
