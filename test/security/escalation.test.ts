/**
 * Nobody hands out more than they hold, reaches into another org, or keeps
 * using a credential after it was revoked, expired, logged out, removed or
 * suspended. Role rows are derived from ROLE_PERMISSIONS wherever the rule is
 * "more than you hold"; the codes are pinned, since clients rely on them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../core/errors.ts";
import {
  accountTypeOfRole,
  canGrantRole,
  OPERATOR_ROLES,
  PARTNER_ROLES,
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
} from "../../core/permissions.ts";
import { createWorld, type World } from "../harness.ts";
import {
  an,
  createKey,
  createTenant,
  createUser,
  expectErrorBody,
  expectStatus,
  inviteUser,
  named,
  OPERATOR_SLUG,
  type SeededUser,
  type Tenant,
  uniqueEmail,
  uniqueSlug,
  unknownId,
} from "./actors.ts";

let world: World;
let acme: Tenant;
let globex: Tenant;
const tokens = new Map<string, string>();
let partnerAdmin: SeededUser;
let partnerMember: SeededUser;
let partnerViewer: SeededUser;
let manager: SeededUser;

beforeAll(async () => {
  world = await createWorld();
  acme = await createTenant(world, "acme");
  globex = await createTenant(world, "globex");
  for (const role of ["partner_admin", "partner_member", "partner_viewer"] as const) {
    tokens.set(`${role} key`, (await createKey(world, acme.slug, { role })).token);
  }
  for (const role of ["admin", "manager"] as const) {
    tokens.set(`${role} key`, (await createKey(world, OPERATOR_SLUG, { role })).token);
  }
  partnerAdmin = await createUser(world, acme.slug, "partner_admin");
  partnerMember = await createUser(world, acme.slug, "partner_member");
  partnerViewer = await createUser(world, acme.slug, "partner_viewer");
  manager = await createUser(world, OPERATOR_SLUG, "manager");
  for (const user of [partnerAdmin, partnerMember, partnerViewer, manager]) {
    tokens.set(user.label, user.token);
  }
  tokens.set("owner session", world.ownerToken);
});

afterAll(async () => {
  await world?.close();
});

function token(label: string): string {
  const found = tokens.get(label);
  if (!found) throw new Error(`no credential ${label}`);
  return found;
}

/** What the owner sees in an org: the ground truth after an attempt that should change nothing. */
async function usersOf(org: string): Promise<{ id: string; email: string; role: Role }[]> {
  const res = await world.request("GET", `/v1/users?org=${org}`, { token: world.ownerToken });
  expectStatus(res, 200);
  return res.body.data;
}

async function keysOf(
  org: string,
): Promise<{ id: string; name: string; status: string; rotatedTo: string | null }[]> {
  const res = await world.request("GET", `/v1/keys?org=${org}`, { token: world.ownerToken });
  expectStatus(res, 200);
  return res.body.data;
}

async function customersOf(org: string): Promise<{ id: string; externalRef: string }[]> {
  const res = await world.request("GET", `/v1/customers?org=${org}&limit=500`, {
    token: world.ownerToken,
  });
  expectStatus(res, 200);
  return res.body.data;
}

function permissionsOfRole(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

describe("a partner_admin inviting users", () => {
  const rows = ["partner_admin key", "partner_admin session"].flatMap((actor) =>
    [...ROLES.filter((role) => accountTypeOfRole(role) !== "partner"), "emperor"].map((role) => ({
      actor,
      role,
    })),
  );

  const names = named(rows, (row) => `${an(row.actor)} cannot invite a user with role ${row.role}`);

  it.each(names)("%s", async (_, { actor, role }) => {
    const email = uniqueEmail("climber");

    const res = await world.request("POST", "/v1/users", {
      token: token(actor),
      body: { email, name: "Climber", role },
    });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect((await usersOf(acme.slug)).map((u) => u.email)).not.toContain(email);
  });
});

describe("a partner_admin creating keys", () => {
  const foreignScopes = PERMISSIONS.filter((p) => !ROLE_PERMISSIONS.partner_admin.includes(p));
  const foreignRoles = ROLES.filter((role) => accountTypeOfRole(role) !== "partner");

  it.each(foreignScopes)(
    "cannot create a key with the scope %s it does not hold",
    async (scope) => {
      const name = uniqueSlug("wide");

      const res = await world.request("POST", "/v1/keys", {
        token: token("partner_admin key"),
        body: { name, scopes: ["me.read", scope] },
      });

      expectErrorBody(res, "VALIDATION_FAILED");
      expect((await keysOf(acme.slug)).map((k) => k.name)).not.toContain(name);
    },
  );

  it.each(foreignRoles)("cannot create a key with the operator role %s", async (role) => {
    const name = uniqueSlug("wide");

    const res = await world.request("POST", "/v1/keys", {
      token: token("partner_admin key"),
      body: { name, role },
    });

    expectErrorBody(res, "VALIDATION_FAILED");
    expect((await keysOf(acme.slug)).map((k) => k.name)).not.toContain(name);
  });

  const narrowed: Permission[] = ["me.read", "keys.create"];
  const beyondNarrowed = [
    { label: "its own role by default", body: {} },
    ...PARTNER_ROLES.filter((role) => !canGrantRole(new Set(narrowed), role)).map((role) => ({
      label: `role ${role}`,
      body: { role },
    })),
  ];

  it.each(named(beyondNarrowed, (row) => row.label))(
    "a partner_admin key narrowed to me.read and keys.create cannot mint a key with %s",
    async (_, { body }) => {
      const narrow = await createKey(world, acme.slug, { role: "partner_admin", scopes: narrowed });
      const name = uniqueSlug("minted");

      const res = await world.request("POST", "/v1/keys", {
        token: narrow.token,
        body: { name, ...body },
      });

      expectErrorBody(res, "ROLE_ESCALATION");
      expect((await keysOf(acme.slug)).map((k) => k.name)).not.toContain(name);
    },
  );

  it.each(["partner_member key", "partner_member session"])(
    "a %s cannot create keys at all",
    async (actor) => {
      const name = uniqueSlug("member");

      const res = await world.request("POST", "/v1/keys", {
        token: token(actor),
        body: { name, role: "partner_viewer" },
      });

      expectErrorBody(res, "FORBIDDEN");
      expect(res.body.error.message).toContain("keys.create");
      expect((await keysOf(acme.slug)).map((k) => k.name)).not.toContain(name);
    },
  );
});

describe("changing roles", () => {
  // Inside its own account type the self-change rule answers; a role of the
  // other account type does not exist in the org at all.
  const ownRoleRows = ROLES.map((role) => ({
    role,
    code: (accountTypeOfRole(role) === "partner" ? "FORBIDDEN" : "VALIDATION_FAILED") as ErrorCode,
  }));

  it.each(named(ownRoleRows, (row) => `${row.role} (${row.code})`))(
    "a partner_admin cannot change its own role to %s",
    async (_, { role, code }) => {
      const res = await world.request("PATCH", `/v1/users/${partnerAdmin.id}`, {
        token: partnerAdmin.token,
        body: { role },
      });

      expectErrorBody(res, code);
      const self = (await usersOf(acme.slug)).find((u) => u.id === partnerAdmin.id);
      expect(self?.role).toBe("partner_admin");
    },
  );

  const viewerRows = [
    { actor: "partner_viewer key", whom: "a member", target: () => partnerMember.id },
    { actor: "partner_viewer session", whom: "a member", target: () => partnerMember.id },
    { actor: "partner_viewer session", whom: "itself", target: () => partnerViewer.id },
  ].flatMap((row) => PARTNER_ROLES.map((role) => ({ ...row, role })));

  const viewerNames = named(
    viewerRows,
    (r) => `${an(r.actor)} cannot give ${r.whom} role ${r.role}`,
  );

  it.each(viewerNames)("%s", async (_, row) => {
    const userId = row.target();
    const before = (await usersOf(acme.slug)).find((u) => u.id === userId)?.role;

    const res = await world.request("PATCH", `/v1/users/${userId}`, {
      token: token(row.actor),
      body: { role: row.role },
    });

    expectErrorBody(res, "FORBIDDEN");
    expect(res.body.error.message).toContain("users.update");
    expect((await usersOf(acme.slug)).find((u) => u.id === userId)?.role).toBe(before);
  });

  it("a partner_admin key narrowed to users.update cannot promote a viewer", async () => {
    const narrow = await createKey(world, acme.slug, {
      role: "partner_admin",
      scopes: ["me.read", "users.update"],
    });
    const target = await inviteUser(world, acme.slug, "partner_viewer");

    const res = await world.request("PATCH", `/v1/users/${target.id}`, {
      token: narrow.token,
      body: { role: "partner_admin" },
    });

    expectErrorBody(res, "ROLE_ESCALATION");
    expect((await usersOf(acme.slug)).find((u) => u.id === target.id)?.role).toBe("partner_viewer");
  });
});

describe("operator staff", () => {
  // Staff changes need operators.manage, which only the owner holds.
  const staffManagers = ["manager key", "manager session", "admin key"];
  const inviteRows = staffManagers.flatMap((actor) =>
    (["owner", "admin"] as const).map((role) => ({ actor, role })),
  );

  const inviteNames = named(inviteRows, (row) => `${an(row.actor)} cannot invite ${an(row.role)}`);

  it.each(inviteNames)("%s into the operator org", async (_, row) => {
    const email = uniqueEmail("staff");

    const res = await world.request("POST", `/v1/users?org=${OPERATOR_SLUG}`, {
      token: token(row.actor),
      body: { email, name: "Staff", role: row.role },
    });

    expectErrorBody(res, "FORBIDDEN");
    expect(res.body.error.message).toContain("operators.manage");
    expect((await usersOf(OPERATOR_SLUG)).map((u) => u.email)).not.toContain(email);
  });

  const keyRows = (["manager", "admin"] as const).flatMap((holder) =>
    OPERATOR_ROLES.filter((role) => !canGrantRole(permissionsOfRole(holder), role)).map((role) => ({
      actor: `${holder} key`,
      role,
    })),
  );

  it("a manager cannot revoke an operator key, which keeps working", async () => {
    const created = await world.request("POST", `/v1/keys?org=${OPERATOR_SLUG}`, {
      token: world.ownerToken,
      body: { name: uniqueSlug("staff"), role: "analyst" },
    });
    expectStatus(created, 201);

    const res = await world.request(
      "POST",
      `/v1/keys/${created.body.key.id}/revoke?org=${OPERATOR_SLUG}`,
      { token: token("manager key") },
    );

    expectErrorBody(res, "FORBIDDEN");
    expect(res.body.error.message).toContain("operators.manage");
    expectStatus(await world.request("GET", "/v1/me", { token: created.body.token }), 200);
  });

  it("has operator roles a manager cannot grant", () => {
    expect(keyRows.map((row) => row.role)).toContain("owner");
  });

  const keyNames = named(
    keyRows,
    (row) => `${an(row.actor)} cannot create ${an(`${row.role} key`)}`,
  );

  // Operator-org keys are staff credentials: minting one needs operators.manage,
  // which is checked before the role (so the refusal is FORBIDDEN).
  it.each(keyNames)("%s in the operator org", async (_, { actor, role }) => {
    const name = uniqueSlug("staff-key");

    const res = await world.request("POST", `/v1/keys?org=${OPERATOR_SLUG}`, {
      token: token(actor),
      body: { name, role },
    });

    expectErrorBody(res, "FORBIDDEN");
    expect((await keysOf(OPERATOR_SLUG)).map((k) => k.name)).not.toContain(name);
  });

  it.each(["manager key", "admin key"])(
    "%s cannot create an operator-org key even of its own role",
    async (actor) => {
      const name = uniqueSlug("own-role-key");

      const res = await world.request("POST", `/v1/keys?org=${OPERATOR_SLUG}`, {
        token: token(actor),
        body: { name },
      });

      expectErrorBody(res, "FORBIDDEN");
      expect((await keysOf(OPERATOR_SLUG)).map((k) => k.name)).not.toContain(name);
    },
  );

  // The same rule as for users (removeUser) and for rotation (rotateKey): no
  // acting on a credential whose role holds permissions you lack.
  const revokeNames = named(
    keyRows,
    (row) => `${an(row.actor)} cannot revoke ${an(`${row.role} key`)}`,
  );

  it.each(revokeNames)("%s in the operator org", async (_, { actor, role }) => {
    const victim = await createKey(world, OPERATOR_SLUG, { role });

    const res = await world.request("POST", `/v1/keys/${victim.id}/revoke?org=${OPERATOR_SLUG}`, {
      token: token(actor),
    });

    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expectErrorBody(res);
    expect(["ROLE_ESCALATION", "FORBIDDEN"]).toContain(res.body.error.code);
    expectStatus(await world.request("GET", "/v1/me", { token: victim.token }), 200);
  });

  const promoteRows = ["manager key", "manager session"].flatMap((actor) =>
    (["owner", "admin"] as const).map((role) => ({ actor, role })),
  );

  const promoteNames = named(
    promoteRows,
    (row) => `${an(row.actor)} cannot promote an analyst to ${row.role}`,
  );

  it.each(promoteNames)("%s", async (_, { actor, role }) => {
    const analyst = await inviteUser(world, OPERATOR_SLUG, "analyst");

    const res = await world.request("PATCH", `/v1/users/${analyst.id}?org=${OPERATOR_SLUG}`, {
      token: token(actor),
      body: { role },
    });

    expectErrorBody(res, "FORBIDDEN");
    const after = (await usersOf(OPERATOR_SLUG)).find((u) => u.id === analyst.id);
    expect(after?.role).toBe("analyst");
  });

  it("a manager cannot promote itself", async () => {
    const res = await world.request("PATCH", `/v1/users/${manager.id}?org=${OPERATOR_SLUG}`, {
      token: manager.token,
      body: { role: "owner" },
    });

    expectErrorBody(res, "FORBIDDEN");
    expect((await usersOf(OPERATOR_SLUG)).find((u) => u.id === manager.id)?.role).toBe("manager");
  });
});

describe("rotating a key", () => {
  async function narrowKey() {
    return createKey(
      world,
      acme.slug,
      { role: "partner_viewer", scopes: ["me.read"] },
      token("partner_admin key"),
    );
  }

  async function permissionsOf(bearer: string): Promise<string[]> {
    const res = await world.request("GET", "/v1/me", { token: bearer });
    expectStatus(res, 200);
    return res.body.permissions;
  }

  it("refuses a successor that gains scopes and leaves the old key as it was", async () => {
    const old = await narrowKey();

    const res = await world.request("POST", `/v1/keys/${old.id}/rotate`, {
      token: token("partner_admin key"),
      body: { scopes: ["me.read", "users.read"] },
    });

    expectErrorBody(res, "ROLE_ESCALATION");
    const stored = (await keysOf(acme.slug)).find((k) => k.id === old.id);
    expect(stored).toMatchObject({ status: "active", rotatedTo: null });
    expect(await permissionsOf(old.token)).toEqual(["me.read"]);
  });

  it("gives a successor the old key's permissions, keeping the old key for the grace", async () => {
    const old = await narrowKey();
    const before = await permissionsOf(old.token);

    const res = await world.request("POST", `/v1/keys/${old.id}/rotate`, {
      token: token("partner_admin key"),
      body: { gracePeriod: "1h" },
    });

    expectStatus(res, 201);
    expect(await permissionsOf(res.body.token)).toEqual(before);
    expect(await permissionsOf(old.token)).toEqual(before);
  });

  it("stops the old key at once when there is no grace period", async () => {
    const old = await narrowKey();

    const res = await world.request("POST", `/v1/keys/${old.id}/rotate`, {
      token: token("partner_admin key"),
      body: {},
    });

    expectStatus(res, 201);
    expectErrorBody(await world.request("GET", "/v1/me", { token: old.token }), "UNAUTHENTICATED");
    expect(await permissionsOf(res.body.token)).toEqual(["me.read"]);
  });
});

describe("another org", () => {
  const refs: { label: string; ref: () => string }[] = [
    { label: "another partner's slug", ref: () => globex.slug },
    { label: "another partner's id", ref: () => globex.id },
    { label: "the operator org's slug", ref: () => OPERATOR_SLUG },
  ];
  const calls: { label: string; method: string; path: string; body?: () => unknown }[] = [
    { label: "list users", method: "GET", path: "/v1/users" },
    { label: "list keys", method: "GET", path: "/v1/keys" },
    { label: "read audit", method: "GET", path: "/v1/audit" },
    {
      label: "invite a user",
      method: "POST",
      path: "/v1/users",
      body: () => ({ email: uniqueEmail("intruder"), name: "Intruder", role: "partner_viewer" }),
    },
    {
      label: "create a key",
      method: "POST",
      path: "/v1/keys",
      body: () => ({ name: uniqueSlug("intruder"), role: "partner_viewer" }),
    },
    { label: "list customers", method: "GET", path: "/v1/customers" },
    { label: "list deals", method: "GET", path: "/v1/deals" },
    {
      label: "create a customer",
      method: "POST",
      path: "/v1/customers",
      body: () => ({ externalRef: uniqueSlug("intruder"), name: "Intruder" }),
    },
  ];
  const rows = refs.flatMap((ref) =>
    calls.map((call) => ({ ...call, ref: ref.ref, label: `${call.label} naming ${ref.label}` })),
  );

  it.each(named(rows, (row) => row.label))(
    "a partner_admin key trying to %s gets the answer a random org gets",
    async (_, { method, path, body, ref }) => {
      const send = (org: string) =>
        world.request(method, `${path}?org=${encodeURIComponent(org)}`, {
          token: token("partner_admin key"),
          ...(body ? { body: body() } : {}),
        });
      const usersBefore = await usersOf(ref());
      const keysBefore = await keysOf(ref());
      const customersBefore = await customersOf(globex.slug);

      const res = await send(ref());
      const random = await send(uniqueSlug("nowhere"));
      const randomId = await send(unknownId("org"));

      expectErrorBody(res, "NOT_FOUND");
      expectErrorBody(random, "NOT_FOUND");
      expectErrorBody(randomId, "NOT_FOUND");
      expect(res.body.error.message).toBe(random.body.error.message);
      expect(res.body.error.message).toBe(randomId.body.error.message);
      expect(await usersOf(ref())).toEqual(usersBefore);
      expect(await keysOf(ref())).toEqual(keysBefore);
      expect(await customersOf(globex.slug)).toEqual(customersBefore);
    },
  );

  type VictimIds = { user: string; key: string; customer: string; deal: string };
  const byId: {
    label: string;
    call: (ids: VictimIds) => { method: string; path: string; body?: unknown };
  }[] = [
    {
      label: "change the role of a user",
      call: ({ user }) => ({
        method: "PATCH",
        path: `/v1/users/${user}`,
        body: { role: "partner_viewer" },
      }),
    },
    {
      label: "remove a user",
      call: ({ user }) => ({ method: "DELETE", path: `/v1/users/${user}` }),
    },
    {
      label: "revoke a key",
      call: ({ key }) => ({ method: "POST", path: `/v1/keys/${key}/revoke` }),
    },
    {
      label: "rotate a key",
      call: ({ key }) => ({ method: "POST", path: `/v1/keys/${key}/rotate`, body: {} }),
    },
    {
      label: "read a customer",
      call: ({ customer }) => ({ method: "GET", path: `/v1/customers/${customer}` }),
    },
    {
      label: "change a customer",
      call: ({ customer }) => ({
        method: "PATCH",
        path: `/v1/customers/${customer}`,
        body: { name: "Hijacked" },
      }),
    },
    {
      label: "delete a customer",
      call: ({ customer }) => ({ method: "DELETE", path: `/v1/customers/${customer}` }),
    },
    { label: "read a deal", call: ({ deal }) => ({ method: "GET", path: `/v1/deals/${deal}` }) },
    {
      label: "change a deal",
      call: ({ deal }) => ({ method: "PATCH", path: `/v1/deals/${deal}`, body: { stage: "Lost" } }),
    },
    {
      label: "delete a deal",
      call: ({ deal }) => ({ method: "DELETE", path: `/v1/deals/${deal}` }),
    },
  ];

  /** One of each kind of row in globex, as the operator owner makes them. */
  async function victims(): Promise<VictimIds> {
    const owner = { token: world.ownerToken };
    const user = await inviteUser(world, globex.slug, "partner_admin");
    const key = await createKey(world, globex.slug, { role: "partner_viewer" });
    const customer = await world.request("POST", `/v1/customers?org=${globex.slug}`, {
      ...owner,
      body: { externalRef: uniqueSlug("cust"), name: "Original" },
    });
    expectStatus(customer, 201);
    const product = await world.request("POST", "/v1/products", {
      ...owner,
      body: { name: uniqueSlug("product"), currency: "EUR" },
    });
    expectStatus(product, 201);
    const deal = await world.request("POST", `/v1/deals?org=${globex.slug}`, {
      ...owner,
      body: {
        externalRef: uniqueSlug("deal"),
        productId: product.body.id,
        customerId: customer.body.id,
        stage: "Engaging",
        currency: "EUR",
      },
    });
    expectStatus(deal, 201);
    return { user: user.id, key: key.id, customer: customer.body.id, deal: deal.body.id };
  }

  /** What the owner sees of the victims, to compare before and after. */
  async function snapshot(ids: VictimIds) {
    const read = async (path: string) => {
      const res = await world.request("GET", `${path}?org=${globex.slug}`, {
        token: world.ownerToken,
      });
      expectStatus(res, 200);
      return res.body;
    };
    return {
      user: (await usersOf(globex.slug)).find((u) => u.id === ids.user),
      key: (await keysOf(globex.slug)).find((k) => k.id === ids.key),
      customer: await read(`/v1/customers/${ids.customer}`),
      deal: await read(`/v1/deals/${ids.deal}`),
    };
  }

  it.each(named(byId, (row) => row.label))(
    "a partner_admin key trying to %s of another partner by id gets 404 like a random id",
    async (_, { call }) => {
      const ids = await victims();
      const before = await snapshot(ids);
      const send = (target: VictimIds) => {
        const { method, path, body } = call(target);
        return world.request(method, path, {
          token: token("partner_admin key"),
          ...(body === undefined ? {} : { body }),
        });
      };

      const res = await send(ids);
      const random = await send({
        user: unknownId("user"),
        key: unknownId("key"),
        customer: unknownId("customer"),
        deal: unknownId("deal"),
      });

      expectErrorBody(res, "NOT_FOUND");
      expectErrorBody(random, "NOT_FOUND");
      expect(res.body.error.message).toBe(random.body.error.message);
      expect(await snapshot(ids)).toEqual(before);
    },
  );

  const unscoped = ["owner session", "manager key"].flatMap((actor) =>
    calls
      .filter((call) => call.path !== "/v1/audit")
      .map((call) => ({ ...call, actor, label: `${actor} trying to ${call.label}` })),
  );

  it.each(named(unscoped, (row) => row.label))(
    "an operator's %s without naming the org gets 400 SCOPE_REQUIRED",
    async (_, row) => {
      const res = await world.request(row.method, row.path, {
        token: token(row.actor),
        ...(row.body ? { body: row.body() } : {}),
      });

      expectErrorBody(res, "SCOPE_REQUIRED");
    },
  );
});

describe("a dead credential", () => {
  const rows: {
    label: string;
    issue: (tenant: Tenant) => Promise<{ token: string; kill: () => Promise<void> }>;
  }[] = [
    {
      label: "a revoked key",
      issue: async (tenant) => {
        const key = await createKey(world, tenant.slug, { role: "partner_admin" });
        return {
          token: key.token,
          kill: async () => {
            const res = await world.request(
              "POST",
              `/v1/keys/${key.id}/revoke?org=${tenant.slug}`,
              {
                token: world.ownerToken,
              },
            );
            expectStatus(res, 200);
          },
        };
      },
    },
    {
      label: "an expired key",
      issue: async (tenant) => {
        const key = await createKey(world, tenant.slug, { role: "partner_admin", expiresIn: "1s" });
        return { token: key.token, kill: () => sleep(1_200) };
      },
    },
    {
      label: "a logged-out session",
      issue: async (tenant) => {
        const user = await createUser(world, tenant.slug, "partner_admin");
        return {
          token: user.token,
          kill: async () => {
            const res = await world.request("POST", "/v1/auth/logout", { token: user.token });
            expectStatus(res, 204);
          },
        };
      },
    },
    {
      label: "a removed user's session",
      issue: async (tenant) => {
        const user = await createUser(world, tenant.slug, "partner_admin");
        return {
          token: user.token,
          kill: async () => {
            const res = await world.request("DELETE", `/v1/users/${user.id}?org=${tenant.slug}`, {
              token: world.ownerToken,
            });
            expectStatus(res, 204);
          },
        };
      },
    },
  ];

  it.each(named(rows, (row) => row.label))(
    "%s is refused with 401 on its very next request",
    async (_, { issue }) => {
      const tenant = await createTenant(world, "dead");
      const credential = await issue(tenant);
      expectStatus(await world.request("GET", "/v1/users", { token: credential.token }), 200);

      await credential.kill();

      for (const path of ["/v1/users", "/v1/me", "/v1/keys"]) {
        const res = await world.request("GET", path, { token: credential.token });
        expectErrorBody(res, "UNAUTHENTICATED");
      }
    },
  );

  it("a demoted partner_admin loses keys.create on its very next request", async () => {
    const tenant = await createTenant(world, "demoted");
    const user = await createUser(world, tenant.slug, "partner_admin");
    const create = () =>
      world.request("POST", "/v1/keys", {
        token: user.token,
        body: { name: uniqueSlug("before"), role: "partner_viewer" },
      });
    expectStatus(await create(), 201);

    const demoted = await world.request("PATCH", `/v1/users/${user.id}?org=${tenant.slug}`, {
      token: world.ownerToken,
      body: { role: "partner_viewer" },
    });

    expectStatus(demoted, 200);
    expectErrorBody(await create(), "FORBIDDEN");
  });

  it("a demoted partner_admin's keys lose what the new role lacks, keeping those within it", async () => {
    const tenant = await createTenant(world, "demoted-keys");
    const user = await createUser(world, tenant.slug, "partner_admin");
    const mint = async (token: string, body: Record<string, unknown>) => {
      const res = await world.request("POST", "/v1/keys", {
        token,
        body: { name: uniqueSlug("minted"), ...body },
      });
      expectStatus(res, 201);
      return res.body.token as string;
    };
    const adminKey = await mint(user.token, {});
    const grandchild = await mint(adminKey, { role: "partner_member" });
    const viewerKey = await mint(user.token, { role: "partner_viewer" });
    const narrow = await mint(user.token, { scopes: ["me.read", "deals.read"] });

    const demoted = await world.request("PATCH", `/v1/users/${user.id}?org=${tenant.slug}`, {
      token: world.ownerToken,
      body: { role: "partner_viewer" },
    });
    expectStatus(demoted, 200);

    for (const dead of [adminKey, grandchild]) {
      expectErrorBody(await world.request("GET", "/v1/me", { token: dead }), "UNAUTHENTICATED");
      const invite = await world.request("POST", "/v1/users", {
        token: dead,
        body: { email: uniqueEmail("planted"), name: "Planted", role: "partner_admin" },
      });
      expectErrorBody(invite, "UNAUTHENTICATED");
    }
    for (const alive of [viewerKey, narrow]) {
      expectStatus(await world.request("GET", "/v1/me", { token: alive }), 200);
    }
    const audit = await world.store.db
      .selectFrom("audit_log")
      .select("details")
      .where("action", "=", "user.role_changed")
      .where("target_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details ?? "{}").keysRevoked).toHaveLength(2);
  });
});

describe("a suspended tenant", () => {
  async function suspendedTenant() {
    const tenant = await createTenant(world, "paused");
    const key = await createKey(world, tenant.slug, { role: "partner_admin" });
    const user = await createUser(world, tenant.slug, "partner_viewer");
    for (const bearer of [key.token, user.token]) {
      expectStatus(await world.request("GET", "/v1/users", { token: bearer }), 200);
    }
    const suspended = await world.request("POST", `/v1/tenants/${tenant.slug}/suspend`, {
      token: world.ownerToken,
    });
    expectStatus(suspended, 200);
    return { tenant, key, user };
  }

  it.each(["key", "session"] as const)(
    "refuses the tenant's %s with 403 ORG_SUSPENDED at once and lets it back in on resume",
    async (kind) => {
      const { tenant, key, user } = await suspendedTenant();
      const bearer = kind === "key" ? key.token : user.token;

      for (const path of ["/v1/me", "/v1/users"]) {
        expectErrorBody(await world.request("GET", path, { token: bearer }), "ORG_SUSPENDED");
      }

      const resumed = await world.request("POST", `/v1/tenants/${tenant.id}/resume`, {
        token: world.ownerToken,
      });
      expectStatus(resumed, 200);
      expectStatus(await world.request("GET", "/v1/users", { token: bearer }), 200);
    },
  );

  it("leaves other tenants' actors alone", async () => {
    await suspendedTenant();

    expectStatus(await world.request("GET", "/v1/me", { token: token("partner_admin key") }), 200);
  });

  it("keeps the tenant's users listed for the operator", async () => {
    const { tenant, user } = await suspendedTenant();

    const users = await usersOf(tenant.slug);

    expect(users.map((u) => u.email)).toContain(user.email);
  });
});
