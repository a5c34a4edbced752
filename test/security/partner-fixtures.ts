/**
 * Seeds partner tenants with real data through the public API (a catalogue,
 * then per partner: a partner_admin key, invited users, more keys, customers
 * and deals that point at those customers and users), and reads what the
 * isolation suites compare: per-org row snapshots straight from the store, the
 * owner of every id, and the ids hidden anywhere in an answer.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import type { World } from "../harness.ts";
import { createKey, createTenant, expectStatus, inviteUser, type Tenant } from "./actors.ts";

export interface PartnerFixture {
  tenant: Tenant;
  /** The partner_admin key every seed row was written with. */
  admin: { id: string; token: string };
  users: string[];
  /** Every key of the org, the admin key first. */
  keys: string[];
  customers: string[];
  deals: string[];
}

export interface SeedCounts {
  users: number;
  keys: number;
  customers: number;
  deals: number;
}

const DEFAULT_COUNTS: SeedCounts = { users: 2, keys: 1, customers: 3, deals: 4 };
const STAGES = ["Prospecting", "Engaging", "Won", "Lost"] as const;

/** Catalogue products created by the operator; partners read them, never write them. */
export async function seedCatalogue(world: World, names: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const res = await world.request("POST", "/v1/products", {
      token: world.ownerToken,
      body: { name: `${name} ${ids.length}-${Date.now()}`, currency: "EUR", listPrice: 1000 },
    });
    expectStatus(res, 201);
    ids.push(res.body.id);
  }
  return ids;
}

/** A deal body of the given stage that passes every field rule. */
export function dealBody(
  externalRef: string,
  productId: string,
  stage: (typeof STAGES)[number] = "Prospecting",
  refs: { customerId?: string | null; ownerUserId?: string | null } = {},
) {
  const closed = stage === "Won" || stage === "Lost";
  return {
    externalRef,
    productId,
    stage,
    currency: "EUR",
    engageDate: "2024-01-15",
    ...(closed ? { closeDate: "2024-03-31", amount: 125_000 } : {}),
    ...refs,
  };
}

/**
 * A partner org with a partner_admin key and `counts` users (invited), further
 * keys, customers and deals. Deal `i` uses customer `i`, user `i` and product
 * `i` round-robin and walks through the stages, so every reference kind and
 * every stage is present. Seeded with the partner's own key.
 */
export async function seedPartner(
  world: World,
  prefix: string,
  products: readonly string[],
  counts: Partial<SeedCounts> = {},
): Promise<PartnerFixture> {
  const n = { ...DEFAULT_COUNTS, ...counts };
  const tenant = await createTenant(world, prefix);
  const admin = await createKey(world, tenant.slug, { role: "partner_admin", name: "seed admin" });
  const fixture: PartnerFixture = {
    tenant,
    admin,
    users: [],
    keys: [admin.id],
    customers: [],
    deals: [],
  };

  for (let i = 0; i < n.users; i++) {
    fixture.users.push((await inviteUser(world, tenant.slug, "partner_member", admin.token)).id);
  }
  for (let i = 0; i < n.keys; i++) {
    const key = await createKey(world, tenant.slug, { role: "partner_viewer" }, admin.token);
    fixture.keys.push(key.id);
  }
  for (let i = 0; i < n.customers; i++) {
    const res = await world.request("POST", "/v1/customers", {
      token: admin.token,
      body: { externalRef: `cust-${i}`, name: `${prefix} customer ${i}`, sector: "retail" },
    });
    expectStatus(res, 201);
    fixture.customers.push(res.body.id);
  }
  for (let i = 0; i < n.deals; i++) {
    const product = products[i % products.length] as string;
    const res = await world.request("POST", "/v1/deals", {
      token: admin.token,
      body: dealBody(`deal-${i}`, product, STAGES[i % STAGES.length], {
        customerId: fixture.customers[i % Math.max(1, fixture.customers.length)] ?? null,
        ownerUserId: fixture.users[i % Math.max(1, fixture.users.length)] ?? null,
      }),
    });
    expectStatus(res, 201);
    fixture.deals.push(res.body.id);
  }
  return fixture;
}

/**
 * Every row the org owns, read from the store, ordered by id: the org itself,
 * its customers, deals, users, invitations, sessions, keys and audit records.
 * `last_used_at` is left out: authenticating touches it, and it is no data.
 */
export async function orgRows(world: World, orgId: string) {
  const db = world.store.db;
  const userIds = db.selectFrom("users").select("id").where("org_id", "=", orgId);
  const [org, customers, deals, users, invitations, sessions, keys, audit] = await Promise.all([
    db.selectFrom("orgs").selectAll().where("id", "=", orgId).execute(),
    db.selectFrom("customers").selectAll().where("org_id", "=", orgId).orderBy("id").execute(),
    db.selectFrom("deals").selectAll().where("org_id", "=", orgId).orderBy("id").execute(),
    db.selectFrom("users").selectAll().where("org_id", "=", orgId).orderBy("id").execute(),
    db
      .selectFrom("invitations")
      .selectAll()
      .where("user_id", "in", userIds)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("sessions")
      .select(["id", "user_id", "token_hash", "created_at", "expires_at", "revoked_at"])
      .where("user_id", "in", userIds)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("machine_keys")
      .select([
        "id",
        "org_id",
        "name",
        "role",
        "scopes",
        "token_hash",
        "hint",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "rotated_to",
      ])
      .where("org_id", "=", orgId)
      .orderBy("id")
      .execute(),
    db.selectFrom("audit_log").selectAll().where("org_id", "=", orgId).orderBy("seq").execute(),
  ]);
  return { org, customers, deals, users, invitations, sessions, keys, audit };
}

export type OrgRows = Awaited<ReturnType<typeof orgRows>>;

/** Row counts and one hash over all rows: cheap to compare after every command. */
export function digest(rows: OrgRows): Record<string, number | string> {
  const counts = Object.fromEntries(Object.entries(rows).map(([table, r]) => [table, r.length]));
  const hash = createHash("sha256").update(JSON.stringify(rows)).digest("hex");
  return { ...counts, hash };
}

/**
 * The partner org of every id and slug that belongs to one: partner orgs,
 * their users, keys, customers and deals. Catalogue products and the operator
 * org are nobody's tenant data.
 */
export async function ownersOfIds(world: World): Promise<Map<string, string>> {
  const db = world.store.db;
  const owners = new Map<string, string>();
  const partners = await db
    .selectFrom("orgs")
    .select(["id", "slug"])
    .where("account_type", "=", "partner")
    .execute();
  for (const org of partners) {
    owners.set(org.id, org.id);
    owners.set(org.slug, org.id);
  }
  const orgIds = partners.map((org) => org.id);
  if (orgIds.length === 0) return owners;
  const tables = ["users", "machine_keys", "customers", "deals"] as const;
  for (const table of tables) {
    const rows = await db
      .selectFrom(table)
      .select(["id", "org_id"])
      .where("org_id", "in", orgIds)
      .execute();
    for (const row of rows) owners.set(row.id, row.org_id);
  }
  return owners;
}

/**
 * An answer as one text to search: its JSON, plus what each page cursor hides
 * in its base64 (the keyset position names a row id).
 */
export function searchableText(body: unknown): string {
  const parts = [JSON.stringify(body) ?? ""];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string" && key === "nextCursor") {
      parts.push(Buffer.from(value, "base64url").toString("utf8"));
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(body);
  return parts.join("\n");
}

/** Ids and slugs of any partner org other than `orgId` found anywhere in `body`. */
export function foreignIdsIn(body: unknown, owners: Map<string, string>, orgId: string): string[] {
  const text = searchableText(body);
  return [...owners]
    .filter(([id, owner]) => owner !== orgId && text.includes(id))
    .map(([id]) => id);
}

/** Asserts that no id or slug of another partner org appears anywhere in the answer. */
export function expectNoForeignIds(body: unknown, owners: Map<string, string>, orgId: string) {
  expect(foreignIdsIn(body, owners, orgId), JSON.stringify(body)).toEqual([]);
}
