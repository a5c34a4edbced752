import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { dealBody, seedCatalogue, seedPartner } from "../security/partner-fixtures.ts";

const STAGES = ["Prospecting", "Engaging", "Won", "Lost"] as const;
const GROUPS = ["partner", "product", "stage", "month"] as const;

let world: World;
let products: string[];
let partners: { slug: string; token: string }[];

beforeAll(async () => {
  world = await createWorld();
  products = await seedCatalogue(world, ["Widget", "Gadget"]);
  partners = [];
  for (const prefix of ["north", "south", "east"]) {
    const fixture = await seedPartner(world, prefix, products, {
      users: 1,
      customers: 1,
      deals: 6,
    });
    partners.push({ slug: fixture.tenant.slug, token: fixture.admin.token });
  }
});
afterAll(() => world.close());

const query = (body: Record<string, unknown>, token = world.ownerToken) =>
  world.request("POST", "/v1/cross-partner/deals/query", {
    token,
    body: { reason: "consistency check", ...body },
  });

async function expectAllPartnersMatchExplicitList(filters: Record<string, unknown>) {
  for (const groupBy of GROUPS) {
    const all = await query({ partners: "all", groupBy, ...filters });
    const listed = await query({ partners: partners.map((p) => p.slug), groupBy, ...filters });
    expect(all.status).toBe(200);
    expect(all.body.rows, `${groupBy} ${JSON.stringify(filters)}`).toEqual(listed.body.rows);
  }
}

/** A deal write picked at random: create, re-stage, re-price, re-date or delete. */
const write = fc.record({
  partner: fc.nat({ max: 2 }),
  ref: fc.integer({ min: 0, max: 9 }),
  action: fc.constantFrom("upsert", "delete"),
  stage: fc.constantFrom(...STAGES),
  product: fc.nat({ max: 1 }),
  currency: fc.constantFrom("EUR", "USD", "JPY"),
  amount: fc.integer({ min: 0, max: 5_000_000 }),
  month: fc.integer({ min: 1, max: 12 }),
});

describe("cross-partner aggregates", () => {
  it("answer the same from the all-partner totals as from the deals themselves", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
        for (const w of writes) {
          const partner = partners[w.partner] as { slug: string; token: string };
          const ref = `prop-${w.ref}`;
          if (w.action === "delete") {
            const found = await world.request("GET", `/v1/deals?limit=500`, {
              token: partner.token,
            });
            const deal = found.body.data.find(
              (d: { externalRef: string }) => d.externalRef === ref,
            );
            if (deal)
              await world.request("DELETE", `/v1/deals/${deal.id}`, { token: partner.token });
            continue;
          }
          const body = {
            ...dealBody(ref, products[w.product] as string, w.stage),
            currency: w.currency,
            ...(w.stage === "Won" || w.stage === "Lost"
              ? { closeDate: `2024-${String(w.month).padStart(2, "0")}-15`, amount: w.amount }
              : {}),
          };
          const res = await world.request("POST", "/v1/deals/batch", {
            token: partner.token,
            body: { items: [body] },
          });
          expect(res.status).toBe(200);
        }
        await expectAllPartnersMatchExplicitList({});
        await expectAllPartnersMatchExplicitList({ stage: "Won" });
        await expectAllPartnersMatchExplicitList({ productId: products[0] });
        await expectAllPartnersMatchExplicitList({ since: "2024-03-01", until: "2024-08-31" });
      }),
      { numRuns: 8 },
    );
  });

  it("total the won deals per partner as the deals add up", async () => {
    const res = await query({ partners: "all", groupBy: "partner", stage: "Won" });
    for (const partner of partners) {
      const deals = await world.request("GET", "/v1/deals?stage=Won&limit=500", {
        token: partner.token,
      });
      const expected = new Map<string, { deals: number; total: number }>();
      for (const d of deals.body.data) {
        const sum = expected.get(d.currency) ?? { deals: 0, total: 0 };
        expected.set(d.currency, { deals: sum.deals + 1, total: sum.total + d.amount });
      }
      const got = res.body.rows.filter((r: { group: string }) => r.group === partner.slug);
      expect(
        new Map(got.map((r: any) => [r.currency, { deals: r.deals, total: r.total }])),
      ).toEqual(expected);
    }
  });

  it("record who asked, why, which partners and how many rows before answering", async () => {
    const res = await query({ partners: [partners[0]?.slug], groupBy: "stage", stage: "Won" });
    const audit = await world.request("GET", "/v1/audit?action=cross_partner.queried&limit=1", {
      token: world.ownerToken,
    });

    expect(res.status).toBe(200);
    expect(audit.body.data[0]).toMatchObject({
      actorKind: "user",
      requestId: res.headers.get("x-request-id"),
      details: {
        reason: "consistency check",
        partnersTouched: [partners[0]?.slug],
        stage: "Won",
        groupBy: "stage",
        rowsReturned: res.body.rows.length,
      },
    });
  });

  it("record a failed query too, and return nothing", async () => {
    const res = await query({ partners: ["no-such-partner"], groupBy: "partner" });
    const audit = await world.request("GET", "/v1/audit?action=cross_partner.failed&limit=1", {
      token: world.ownerToken,
    });

    expect(res.status).toBe(404);
    expect(res.body.rows).toBeUndefined();
    expect(audit.body.data[0]).toMatchObject({
      requestId: res.headers.get("x-request-id"),
      details: { error: "NOT_FOUND", partners: ["no-such-partner"] },
    });
  });

  it.each([
    ["no reason", { partners: "all", groupBy: "partner", reason: undefined }],
    ["a blank reason", { partners: "all", groupBy: "partner", reason: "   " }],
    [
      "a reason with a direction override",
      { partners: "all", groupBy: "partner", reason: "audit \u202Etxt.exe" },
    ],
    ["no partners", { partners: [], groupBy: "partner" }],
    ["an unknown grouping", { partners: "all", groupBy: "customer" }],
  ])("refuse %s with VALIDATION_FAILED", async (_label, body) => {
    const res = await query(body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });
});
