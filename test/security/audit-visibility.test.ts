/**
 * Who sees which audit records. Found by the outside trial: an operator
 * analyst listed every tenant's history in one answer, and nothing recorded
 * that it had.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import {
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  OPERATOR_SLUG,
  type Tenant,
  uniqueSlug,
  unknownId,
} from "./actors.ts";

let world: World;
let a: Tenant;
let b: Tenant;
let aToken: string;
let analyst: string;
let bRecordId: string;

interface Record {
  id: string;
  orgId: string | null;
  actorOrgId: string | null;
  action: string;
}

async function list(token: string, query = ""): Promise<Record[]> {
  const res = await world.request("GET", `/v1/audit?limit=500${query}`, { token });
  expectStatus(res, 200);
  return res.body.data;
}

async function accessRecords(orgId: string): Promise<number> {
  const rows = await world.store.db
    .selectFrom("audit_log")
    .select("id")
    .where("action", "=", "partner_data.accessed")
    .where("org_id", "=", orgId)
    .execute();
  return rows.length;
}

beforeAll(async () => {
  world = await createWorld();
  a = await createTenant(world, "seen-a");
  b = await createTenant(world, "seen-b");
  aToken = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  const bToken = (await createKey(world, b.slug, { role: "partner_admin" })).token;
  analyst = (await createKey(world, OPERATOR_SLUG, { role: "analyst" })).token;
  for (const token of [aToken, bToken]) {
    const res = await world.request("POST", "/v1/customers", {
      token,
      body: { externalRef: uniqueSlug("c"), name: "Customer" },
    });
    expectStatus(res, 201);
  }
  const bRecords = await list(bToken);
  bRecordId = bRecords.find((r) => r.action === "customer.created")?.id ?? "";
});

afterAll(async () => {
  await world?.close();
});

describe("an operator's audit list", () => {
  it("without a partner holds the operator's and its staff's records, no partner's", async () => {
    const before = [await accessRecords(a.id), await accessRecords(b.id)];

    const records = await list(analyst);

    expect(records.length).toBeGreaterThan(0);
    const operatorOrg = world.operatorOrgId;
    const ours = (r: Record) =>
      r.orgId === null || r.orgId === operatorOrg || r.actorOrgId === operatorOrg;
    expect(records.filter((r) => !ours(r))).toEqual([]);
    expect(records.filter((r) => r.action === "customer.created")).toEqual([]);
    expect([await accessRecords(a.id), await accessRecords(b.id)]).toEqual(before);
  });

  it("naming a partner holds that partner's records, and the read is itself audited", async () => {
    const before = await accessRecords(a.id);

    const records = await list(analyst, `&org=${a.slug}`);

    expect(records.some((r) => r.action === "customer.created")).toBe(true);
    expect(new Set(records.map((r) => r.orgId))).toEqual(new Set([a.id]));
    expect(await accessRecords(a.id)).toBe(before + 1);
  });
});

describe("a partner's audit list", () => {
  it("refuses another tenant's record as a cursor exactly like a random one", async () => {
    const foreign = await world.request("GET", `/v1/audit?cursor=${bRecordId}`, { token: aToken });
    const random = await world.request("GET", `/v1/audit?cursor=${unknownId("audit")}`, {
      token: aToken,
    });

    expect(bRecordId).toMatch(/^aud_/);
    expectErrorBody(foreign, "VALIDATION_FAILED");
    expectErrorBody(random, "VALIDATION_FAILED");
    expect(foreign.body.error.message).toBe(random.body.error.message);
  });
});
