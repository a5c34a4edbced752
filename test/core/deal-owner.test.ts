import { afterEach, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";
import { seedCatalogue, seedPartner } from "../security/partner-fixtures.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

async function withRemovedOwner() {
  const world = await createWorld();
  worlds.push(world);
  const products = await seedCatalogue(world, ["Widget"]);
  const acme = await seedPartner(world, "acme", products, { users: 1, deals: 1, customers: 1 });
  const deal = await world.request("GET", `/v1/deals/${acme.deals[0]}`, {
    token: acme.admin.token,
  });
  const removed = await world.request("DELETE", `/v1/users/${acme.users[0]}`, {
    token: acme.admin.token,
  });
  expect(removed.status).toBe(204);
  return { world, acme, deal: deal.body };
}

describe("a deal whose owner was removed", () => {
  it("can still be updated without naming a new owner", async () => {
    const { world, acme, deal } = await withRemovedOwner();

    const res = await world.request("PATCH", `/v1/deals/${deal.id}`, {
      token: acme.admin.token,
      body: { engageDate: "2024-01-20" },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ engageDate: "2024-01-20", ownerUserId: acme.users[0] });
  });

  it("comes back unchanged from a re-sent batch", async () => {
    const { world, acme, deal } = await withRemovedOwner();
    const { id: _id, orgId: _org, createdAt: _c, updatedAt: _u, ...item } = deal;

    const res = await world.request("POST", "/v1/deals/batch", {
      token: acme.admin.token,
      body: { items: [item] },
    });

    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { externalRef: deal.externalRef, id: deal.id, outcome: "unchanged" },
    ]);
  });

  it("cannot be handed to the removed user by another deal", async () => {
    const { world, acme } = await withRemovedOwner();
    const products = await seedCatalogue(world, ["Gadget"]);

    const res = await world.request("POST", "/v1/deals", {
      token: acme.admin.token,
      body: {
        externalRef: "new",
        productId: products[0],
        stage: "Prospecting",
        currency: "EUR",
        ownerUserId: acme.users[0],
      },
    });

    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("user not found");
  });
});

describe("operator reads of a partner's users and keys", () => {
  it.each(["users", "keys"])("are audited as partner data access: %s", async (resource) => {
    const world = await createWorld();
    worlds.push(world);
    await world.request("POST", "/v1/tenants", {
      token: world.ownerToken,
      body: { slug: "acme", name: "Acme" },
    });

    const res = await world.request("GET", `/v1/${resource}?org=acme`, { token: world.ownerToken });
    const audit = await world.request("GET", "/v1/audit?action=partner_data.accessed", {
      token: world.ownerToken,
    });

    expect(res.status).toBe(200);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].details.operation).toBe(
      `list${resource[0]?.toUpperCase()}${resource.slice(1)}`,
    );
  });
});
