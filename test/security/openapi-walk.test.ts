/**
 * One suite that runs the same attacks against every operation of the
 * generated OpenAPI document: no credential, a bad credential, every role,
 * invalid input from someone who may not call the operation at all. Which
 * actor passes which guard is derived from the document's x-permission and
 * ROLE_PERMISSIONS. The table below only supplies a harmless request per
 * operation, and pins each permission so that a route changing it is noticed.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../core/errors.ts";
import {
  accountTypeOfRole,
  isPermission,
  type Permission,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
} from "../../core/permissions.ts";
import { createWorld, type World } from "../harness.ts";
import {
  actorLabel,
  type CredentialKind,
  createTenant,
  expectErrorBody,
  login,
  named,
  type SeededActor,
  seedActors,
  type Tenant,
  uniqueEmail,
  uniquePassword,
  uniqueSlug,
  unknownId,
} from "./actors.ts";

interface Sample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Expectation {
  /** Pinned so that a route quietly changing its permission (or going public) fails here. */
  permission: Permission | "public";
  /** Well-formed input that finds nothing to change (random ids) or creates a harmless row. */
  sample: () => Sample;
  /** The same call with input the schema rejects; absent when there is no input to get wrong. */
  invalid?: () => Sample;
  /** The call spends the credential it is made with, so it gets a fresh one. */
  consumesCredential?: boolean;
}

const TOO_LONG_ID = "x".repeat(65);
const WALK_TIME = "2026-01-15T10:30:00Z";

/** Every operation the daemon serves, keyed by operationId. */
const OPERATIONS: Record<string, Expectation> = {
  health: { permission: "public", sample: () => ({}) },
  ready: { permission: "public", sample: () => ({}) },
  login: {
    permission: "public",
    sample: () => ({ body: { email: uniqueEmail("nobody"), password: uniquePassword() } }),
  },
  acceptInvitation: {
    permission: "public",
    sample: () => ({ body: { token: `pos_inv_${randomToken()}`, password: uniquePassword() } }),
  },
  logout: { permission: "me.read", sample: () => ({}), consumesCredential: true },
  getMe: { permission: "me.read", sample: () => ({}) },
  listTenants: {
    permission: "tenants.read",
    sample: () => ({ query: { status: "active" } }),
    invalid: () => ({ query: { status: "deleted" } }),
  },
  createTenant: {
    permission: "tenants.create",
    sample: () => ({ body: { slug: uniqueSlug("walk"), name: "Walk" } }),
    invalid: () => ({ body: { slug: 42, name: "" } }),
  },
  getTenant: {
    permission: "tenants.read",
    sample: () => ({ params: { tenant: uniqueSlug("absent") } }),
    invalid: () => ({ params: { tenant: TOO_LONG_ID } }),
  },
  suspendTenant: {
    permission: "tenants.suspend",
    sample: () => ({ params: { tenant: uniqueSlug("absent") } }),
    invalid: () => ({ params: { tenant: TOO_LONG_ID } }),
  },
  resumeTenant: {
    permission: "tenants.suspend",
    sample: () => ({ params: { tenant: uniqueSlug("absent") } }),
    invalid: () => ({ params: { tenant: TOO_LONG_ID } }),
  },
  listUsers: {
    permission: "users.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  inviteUser: {
    permission: "users.invite",
    sample: () => ({ body: { email: uniqueEmail("walk"), name: "Walk", role: "partner_viewer" } }),
    invalid: () => ({ body: { email: "not an address", name: "", role: "emperor" } }),
  },
  setUserRole: {
    permission: "users.update",
    sample: () => ({ params: { userId: unknownId("user") }, body: { role: "partner_viewer" } }),
    invalid: () => ({ params: { userId: unknownId("user") }, body: { role: "emperor" } }),
  },
  removeUser: {
    permission: "users.remove",
    sample: () => ({ params: { userId: unknownId("user") } }),
    invalid: () => ({ params: { userId: TOO_LONG_ID } }),
  },
  listKeys: {
    permission: "keys.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  createKey: {
    permission: "keys.create",
    sample: () => ({ body: { name: uniqueSlug("walk"), role: "partner_viewer" } }),
    invalid: () => ({ body: { name: "", scopes: ["everything"] } }),
  },
  revokeKey: {
    permission: "keys.revoke",
    sample: () => ({ params: { keyId: unknownId("key") } }),
    invalid: () => ({ params: { keyId: TOO_LONG_ID } }),
  },
  rotateKey: {
    permission: "keys.rotate",
    sample: () => ({ params: { keyId: unknownId("key") }, body: {} }),
    invalid: () => ({ params: { keyId: unknownId("key") }, body: { gracePeriod: "forever" } }),
  },
  listAudit: {
    permission: "audit.read",
    sample: () => ({ query: { limit: "5" } }),
    invalid: () => ({ query: { limit: "0" } }),
  },
  verifyAudit: { permission: "audit.verify", sample: () => ({}) },
  listProducts: { permission: "products.read", sample: () => ({}) },
  createProduct: {
    permission: "products.write",
    sample: () => ({ body: { name: uniqueSlug("walk"), currency: "EUR" } }),
    invalid: () => ({ body: { name: "", currency: "EURO" } }),
  },
  getProduct: {
    permission: "products.read",
    sample: () => ({ params: { productId: unknownId("product") } }),
    invalid: () => ({ params: { productId: TOO_LONG_ID } }),
  },
  updateProduct: {
    permission: "products.write",
    sample: () => ({ params: { productId: unknownId("product") }, body: { listPrice: 100 } }),
    invalid: () => ({ params: { productId: unknownId("product") }, body: { listPrice: -1 } }),
  },
  listCustomers: {
    permission: "customers.read",
    sample: () => ({}),
    invalid: () => ({ query: { sort: "shoe-size" } }),
  },
  createCustomer: {
    permission: "customers.write",
    sample: () => ({ body: { externalRef: uniqueSlug("walk"), name: "Walk" } }),
    invalid: () => ({ body: { externalRef: "", name: 42 } }),
  },
  upsertCustomers: {
    permission: "customers.write",
    sample: () => ({
      body: { items: [{ externalRef: uniqueSlug("walk"), name: "Walk" }], dryRun: true },
    }),
    invalid: () => ({ body: { items: [] } }),
  },
  getCustomer: {
    permission: "customers.read",
    sample: () => ({ params: { customerId: unknownId("customer") } }),
    invalid: () => ({ params: { customerId: TOO_LONG_ID } }),
  },
  updateCustomer: {
    permission: "customers.write",
    sample: () => ({ params: { customerId: unknownId("customer") }, body: { name: "Walk" } }),
    invalid: () => ({ params: { customerId: unknownId("customer") }, body: { name: "" } }),
  },
  deleteCustomer: {
    permission: "customers.write",
    sample: () => ({ params: { customerId: unknownId("customer") } }),
    invalid: () => ({ params: { customerId: TOO_LONG_ID } }),
  },
  listDeals: {
    permission: "deals.read",
    sample: () => ({}),
    invalid: () => ({ query: { stage: "Dreaming" } }),
  },
  createDeal: {
    permission: "deals.write",
    sample: () => ({ body: dealSample() }),
    invalid: () => ({ body: { ...dealSample(), stage: "Dreaming" } }),
  },
  upsertDeals: {
    permission: "deals.write",
    sample: () => ({ body: { items: [dealSample()], dryRun: true } }),
    invalid: () => ({ body: { items: [] } }),
  },
  getDeal: {
    permission: "deals.read",
    sample: () => ({ params: { dealId: unknownId("deal") } }),
    invalid: () => ({ params: { dealId: TOO_LONG_ID } }),
  },
  updateDeal: {
    permission: "deals.write",
    sample: () => ({ params: { dealId: unknownId("deal") }, body: { stage: "Won" } }),
    invalid: () => ({ params: { dealId: unknownId("deal") }, body: { stage: "Dreaming" } }),
  },
  deleteDeal: {
    permission: "deals.write",
    sample: () => ({ params: { dealId: unknownId("deal") } }),
    invalid: () => ({ params: { dealId: TOO_LONG_ID } }),
  },
  // A click with a fresh eventId: one harmless event in the walk's partner.
  ingestEvents: {
    permission: "events.write",
    sample: () => ({ body: { eventId: uniqueSlug("walk"), type: "click", occurredAt: WALK_TIME } }),
    invalid: () => ({ body: { eventId: "", type: "purchase", occurredAt: "yesterday" } }),
  },
  listEvents: {
    permission: "events.read",
    sample: () => ({ query: { type: "sale" } }),
    invalid: () => ({ query: { type: "purchase" } }),
  },
  getEvent: {
    permission: "events.read",
    sample: () => ({ params: { eventId: unknownId("event") } }),
    invalid: () => ({ params: { eventId: TOO_LONG_ID } }),
  },
  queryCrossPartnerDeals: {
    permission: "cross_partner.read",
    sample: () => ({ body: { partners: "all", reason: "security walk", groupBy: "stage" } }),
    invalid: () => ({ body: { partners: "all", reason: "", groupBy: "weather" } }),
  },
  // Owner only: every other role, operator or partner, is refused by the guard.
  getMasterKeyStatus: { permission: "master_key.read", sample: () => ({}) },
  // Passing the guard starts a rotation of the world's in-memory keyring: harmless here.
  rotateMasterKey: { permission: "master_key.rotate", sample: () => ({}) },
  retireMasterKey: {
    permission: "master_key.rotate",
    sample: () => ({ params: { version: "999999" } }),
    invalid: () => ({ params: { version: "first" } }),
  },
  listCredentials: {
    permission: "credentials.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  setCredential: {
    permission: "credentials.write",
    sample: () => ({
      body: {
        name: uniqueSlug("walk"),
        kind: "api_key",
        settings: { service: "walk" },
        secrets: { key: "walk-secret-value" },
      },
    }),
    invalid: () => ({
      body: { name: "", kind: "api_key", settings: {}, secrets: { key: "walk-secret-value" } },
    }),
  },
  getCredential: {
    permission: "credentials.read",
    sample: () => ({ params: { credentialId: unknownId("credential") } }),
    invalid: () => ({ params: { credentialId: TOO_LONG_ID } }),
  },
  deleteCredential: {
    permission: "credentials.write",
    sample: () => ({ params: { credentialId: unknownId("credential") } }),
    invalid: () => ({ params: { credentialId: TOO_LONG_ID } }),
  },
  testCredential: {
    permission: "credentials.write",
    sample: () => ({ params: { credentialId: unknownId("credential") } }),
    invalid: () => ({ params: { credentialId: TOO_LONG_ID } }),
  },
  listDomains: {
    permission: "domains.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  // Refused by hostname rules after the guard: a claim is never made.
  addDomain: {
    permission: "domains.write",
    sample: () => ({ body: { hostname: "192.0.2.1" } }),
    invalid: () => ({ body: { hostname: "" } }),
  },
  getDomain: {
    permission: "domains.read",
    sample: () => ({ params: { domainId: unknownId("domain") } }),
    invalid: () => ({ params: { domainId: TOO_LONG_ID } }),
  },
  verifyDomain: {
    permission: "domains.write",
    sample: () => ({ params: { domainId: unknownId("domain") } }),
    invalid: () => ({ params: { domainId: TOO_LONG_ID } }),
  },
  removeDomain: {
    permission: "domains.write",
    sample: () => ({ params: { domainId: unknownId("domain") } }),
    invalid: () => ({ params: { domainId: TOO_LONG_ID } }),
  },
  getBranding: {
    permission: "domains.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  putBranding: {
    permission: "branding.write",
    sample: () => ({ body: { displayName: "Walk", primaryColor: "#336699" } }),
    invalid: () => ({ body: { displayName: "", primaryColor: "blue" } }),
  },
  getPortalBranding: { permission: "public", sample: () => ({ headers: { host: "walk.test" } }) },
  listWebhooks: {
    permission: "webhooks.read",
    sample: () => ({}),
    invalid: () => ({ query: { unexpected: "1" } }),
  },
  // Refused by the outbound rule after the guard (a documentation address): nothing is stored.
  createWebhook: {
    permission: "webhooks.write",
    sample: () => ({ body: { url: "https://192.0.2.1/hook", eventTypes: ["event.sale"] } }),
    invalid: () => ({ body: { url: "", eventTypes: [] } }),
  },
  getWebhook: {
    permission: "webhooks.read",
    sample: () => ({ params: { webhookId: unknownId("webhook") } }),
    invalid: () => ({ params: { webhookId: TOO_LONG_ID } }),
  },
  updateWebhook: {
    permission: "webhooks.write",
    sample: () => ({ params: { webhookId: unknownId("webhook") }, body: { description: "walk" } }),
    invalid: () => ({ params: { webhookId: unknownId("webhook") }, body: { status: "paused" } }),
  },
  deleteWebhook: {
    permission: "webhooks.write",
    sample: () => ({ params: { webhookId: unknownId("webhook") } }),
    invalid: () => ({ params: { webhookId: TOO_LONG_ID } }),
  },
  rotateWebhookSecret: {
    permission: "webhooks.write",
    sample: () => ({ params: { webhookId: unknownId("webhook") }, body: {} }),
    invalid: () => ({
      params: { webhookId: unknownId("webhook") },
      body: { gracePeriod: "forever" },
    }),
  },
  listWebhookDeliveries: {
    permission: "webhooks.read",
    sample: () => ({ params: { webhookId: unknownId("webhook") }, query: { status: "failed" } }),
    invalid: () => ({ params: { webhookId: unknownId("webhook") }, query: { status: "lost" } }),
  },
  getWebhookDelivery: {
    permission: "webhooks.read",
    sample: () => ({ params: { deliveryId: unknownId("delivery") } }),
    invalid: () => ({ params: { deliveryId: TOO_LONG_ID } }),
  },
  replayWebhookDelivery: {
    permission: "webhooks.write",
    sample: () => ({ params: { deliveryId: unknownId("delivery") } }),
    invalid: () => ({ params: { deliveryId: TOO_LONG_ID } }),
  },
  // A random endpoint: 404 before any message is written or sent.
  testWebhook: {
    permission: "webhooks.write",
    sample: () => ({ params: { webhookId: unknownId("webhook") } }),
    invalid: () => ({ params: { webhookId: TOO_LONG_ID } }),
  },
};

/** A deal naming a product that does not exist: it reaches the handler and changes nothing. */
function dealSample() {
  return {
    externalRef: uniqueSlug("walk"),
    productId: unknownId("product"),
    stage: "Prospecting",
    currency: "EUR",
  };
}

const OPERATION_IDS = Object.keys(OPERATIONS);
const GUARDED_IDS = OPERATION_IDS.filter((id) => OPERATIONS[id]?.permission !== "public");

/** Roles that also get a user session; the rest are walked with machine keys only. */
const SESSION_ROLES: readonly Role[] = ROLES;

const ACTOR_ROWS: { actor: string; role: Role; kind: CredentialKind }[] = [
  ...ROLES.map((role) => ({ actor: actorLabel(role, "key"), role, kind: "key" as const })),
  ...SESSION_ROLES.map((role) => ({
    actor: actorLabel(role, "session"),
    role,
    kind: "session" as const,
  })),
];

function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function holds(role: Role, permission: Permission | "public"): boolean {
  return permission === "public" || ROLE_PERMISSIONS[role].includes(permission);
}

interface Operation {
  operationId: string;
  method: string;
  path: string;
  permission: unknown;
  security: unknown;
  queryParams: string[];
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

function operationsOf(world: World): Operation[] {
  const paths = (world.document().paths ?? {}) as Record<string, Record<string, any>>;
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      found.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        permission: op["x-permission"],
        security: op.security,
        queryParams: parameters.filter((p) => p.in === "query").map((p) => p.name),
      });
    }
  }
  return found;
}

let world: World;
let partner: Tenant;
let operations: Map<string, Operation>;
const actors = new Map<string, SeededActor>();

beforeAll(async () => {
  world = await createWorld();
  partner = await createTenant(world, "walk");
  operations = new Map(operationsOf(world).map((op) => [op.operationId, op]));
  for (const [label, actor] of await seedActors(world, partner, SESSION_ROLES)) {
    actors.set(label, actor);
  }
});

afterAll(async () => {
  await world?.close();
});

function operation(operationId: string): Operation {
  const op = operations.get(operationId);
  if (!op) throw new Error(`the document has no operation ${operationId}`);
  return op;
}

function actor(label: string): SeededActor {
  const found = actors.get(label);
  if (!found) throw new Error(`no seeded actor ${label}`);
  return found;
}

/** Operators must name the org on org-scoped operations, or they get SCOPE_REQUIRED first. */
function orgFor(role: Role): string | undefined {
  return accountTypeOfRole(role) === "operator" ? partner.slug : undefined;
}

function send(op: Operation, sample: Sample, token?: string, org?: string) {
  const path = op.path.replaceAll(/\{(\w+)\}/g, (_, name: string) => {
    const value = sample.params?.[name];
    if (value === undefined) throw new Error(`no sample for {${name}} of ${op.operationId}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams(sample.query);
  if (org !== undefined && op.queryParams.includes("org")) query.set("org", org);
  const search = query.size > 0 ? `?${query}` : "";
  return world.request(op.method, `${path}${search}`, {
    ...(token === undefined ? {} : { token }),
    ...(sample.body === undefined ? {} : { body: sample.body }),
    ...(sample.headers === undefined ? {} : { headers: sample.headers }),
  });
}

/** The guard's refusal: 403 FORBIDDEN naming the missing permission. */
function isGuardRefusal(res: { status: number; body: any }, permission: Permission): boolean {
  return (
    res.status === 403 &&
    res.body?.error?.code === "FORBIDDEN" &&
    String(res.body?.error?.message).includes(permission)
  );
}

describe("the OpenAPI document", () => {
  it("holds exactly the operations this suite expects, no more and no fewer", () => {
    const inDocument = operationsOf(world).map((op) => op.operationId);

    expect(inDocument.filter((id) => !OPERATION_IDS.includes(id))).toEqual([]);
    expect(OPERATION_IDS.filter((id) => !inDocument.includes(id))).toEqual([]);
    expect(new Set(inDocument).size).toBe(inDocument.length);
  });

  it.each(OPERATION_IDS)("%s declares x-permission public or a catalog permission", (id) => {
    const { permission } = operation(id);

    expect(
      permission === "public" || (typeof permission === "string" && isPermission(permission)),
    ).toBe(true);
    expect(permission).toBe(OPERATIONS[id]?.permission);
  });

  it.each(OPERATION_IDS)("%s asks for a bearer credential exactly when it is not public", (id) => {
    const { permission, security } = operation(id);

    expect(security).toEqual(permission === "public" ? [] : [{ bearer: [] }]);
  });
});

describe("without a valid credential", () => {
  const credentials: { label: string; headers: () => Record<string, string> }[] = [
    { label: "no credential", headers: () => ({}) },
    { label: "a garbage bearer token", headers: () => ({ authorization: "Bearer garbage-token" }) },
    {
      label: "a bearer token with bad characters",
      headers: () => ({ authorization: "Bearer ***" }),
    },
    {
      label: "a well-formed but unknown key",
      headers: () => ({ authorization: `Bearer pos_key_${randomToken()}` }),
    },
    {
      label: "a well-formed but unknown session",
      headers: () => ({ authorization: `Bearer pos_sess_${randomToken()}` }),
    },
    {
      label: "the owner's session under the Basic scheme",
      headers: () => ({ authorization: `Basic ${world.ownerToken}` }),
    },
  ];
  const rows = GUARDED_IDS.flatMap((operationId) =>
    credentials.map((credential) => ({
      label: `${operationId} with ${credential.label}`,
      operationId,
      credential,
    })),
  );

  it.each(named(rows, (row) => row.label))("%s answers 401 UNAUTHENTICATED", async (_, row) => {
    const { operationId, credential } = row;
    const op = operation(operationId);
    const sample = OPERATIONS[operationId]?.sample() ?? {};

    const res = await send(
      op,
      { ...sample, headers: credential.headers() },
      undefined,
      partner.slug,
    );

    expect(res.status).toBe(401);
    expectErrorBody(res, "UNAUTHENTICATED");
  });
});

describe("every role", () => {
  it.each(named(ACTOR_ROWS, (row) => row.actor))(
    "%s holds exactly its role's permissions",
    async (_, row) => {
      const res = await world.request("GET", "/v1/me", { token: actor(row.actor).token });

      expect(res.status).toBe(200);
      expect(res.body.actor.role).toBe(row.role);
      expect(res.body.actor.kind).toBe(row.kind === "key" ? "machine" : "user");
      expect([...res.body.permissions].sort()).toEqual([...ROLE_PERMISSIONS[row.role]].sort());
    },
  );

  const rows = ACTOR_ROWS.flatMap((row) =>
    GUARDED_IDS.map((operationId) => {
      const permission = OPERATIONS[operationId]?.permission ?? "public";
      const verdict = holds(row.role, permission) ? "passes the guard of" : "is refused";
      return { ...row, operationId, label: `${row.actor} ${verdict} ${operationId}` };
    }),
  );

  it.each(named(rows, (row) => row.label))("%s as ROLE_PERMISSIONS says", async (_, row) => {
    const { role, operationId } = row;
    const op = operation(operationId);
    const permission = op.permission as Permission;
    const who = actor(row.actor);
    const token =
      OPERATIONS[operationId]?.consumesCredential && who.password && who.email
        ? await login(world, who.email, who.password)
        : who.token;

    const res = await send(op, OPERATIONS[operationId]?.sample() ?? {}, token, orgFor(role));

    if (holds(role, permission)) {
      expect(res.status, JSON.stringify(res.body)).not.toBe(401);
      expect(isGuardRefusal(res, permission), JSON.stringify(res.body)).toBe(false);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    } else {
      expect(res.status).toBe(403);
      expectErrorBody(res, "FORBIDDEN");
      expect(res.body.error.message).toContain(permission);
    }
    if (res.status >= 400) expectErrorBody(res);
  });
});

describe("the guard runs before validation", () => {
  const rows = GUARDED_IDS.filter((id) => OPERATIONS[id]?.invalid !== undefined).map(
    (operationId) => {
      const permission = OPERATIONS[operationId]?.permission ?? "public";
      return {
        operationId,
        holder: ROLES.find((role) => holds(role, permission)),
        lacker: ROLES.find((role) => !holds(role, permission)),
      };
    },
  );

  /** The operation's invalid sample, sent with the key of `role` (none: no credential). */
  function sendInvalid(operationId: string, role?: Role) {
    const invalid = OPERATIONS[operationId]?.invalid?.() ?? {};
    const op = operation(operationId);
    if (role === undefined) return send(op, invalid, undefined, partner.slug);
    return send(op, invalid, actor(actorLabel(role, "key")).token, orgFor(role));
  }

  it.each(named(rows, (row) => `${row.operationId} answers 400 to the ${row.holder} key`))(
    "%s, which holds its permission, for the invalid sample",
    async (_, { operationId, holder }) => {
      expect(holds(holder as Role, operation(operationId).permission as Permission)).toBe(true);

      const res = await sendInvalid(operationId, holder);

      expectErrorBody(res, "VALIDATION_FAILED");
    },
  );

  const lacking = rows.filter((row) => row.lacker !== undefined);

  it.each(named(lacking, (row) => `${row.operationId} refuses the ${row.lacker} key`))(
    "%s with 403, not 400, for the invalid sample",
    async (_, { operationId, lacker }) => {
      const { permission } = operation(operationId);
      expect(holds(lacker as Role, permission as Permission)).toBe(false);

      const res = await sendInvalid(operationId, lacker);

      expectErrorBody(res, "FORBIDDEN");
      expect(res.body.error.message).toContain(permission);
    },
  );

  it.each(named(rows, (row) => row.operationId))(
    "%s answers 401, not 400, to the invalid sample without a credential",
    async (_, { operationId }) => {
      const res = await sendInvalid(operationId);

      expectErrorBody(res, "UNAUTHENTICATED");
    },
  );
});

describe("error bodies", () => {
  const cases: {
    label: string;
    code: ErrorCode;
    call: () => ReturnType<World["request"]>;
  }[] = [
    {
      label: "an unknown route",
      code: "NOT_FOUND",
      call: () => world.request("GET", "/v1/nowhere", { token: world.ownerToken }),
    },
    {
      label: "a missing tenant",
      code: "NOT_FOUND",
      call: () =>
        world.request("GET", `/v1/tenants/${uniqueSlug("absent")}`, {
          token: world.ownerToken,
        }),
    },
    {
      label: "a body that is not JSON",
      code: "BAD_REQUEST",
      call: () => world.request("POST", "/v1/tenants", { token: world.ownerToken, body: "{nope" }),
    },
    {
      label: "a body that fails its schema",
      code: "VALIDATION_FAILED",
      call: () => world.request("POST", "/v1/tenants", { token: world.ownerToken, body: {} }),
    },
    {
      label: "a body that is not JSON at all",
      code: "UNSUPPORTED_MEDIA_TYPE",
      call: () =>
        world.request("POST", "/v1/tenants", {
          token: world.ownerToken,
          body: "slug=x",
          headers: { "content-type": "text/plain" },
        }),
    },
    {
      label: "a body over the size limit",
      code: "PAYLOAD_TOO_LARGE",
      call: () =>
        world.request("POST", "/v1/tenants", {
          token: world.ownerToken,
          body: JSON.stringify({ name: "x".repeat(1_100_000) }),
        }),
    },
    {
      label: "an operator naming no org",
      code: "SCOPE_REQUIRED",
      call: () => world.request("GET", "/v1/users", { token: world.ownerToken }),
    },
    {
      label: "a slug that is taken",
      code: "CONFLICT",
      call: () =>
        world.request("POST", "/v1/tenants", {
          token: world.ownerToken,
          body: { slug: partner.slug, name: "Again" },
        }),
    },
    {
      label: "a wrong password",
      code: "INVALID_CREDENTIALS",
      call: () =>
        world.request("POST", "/v1/auth/login", {
          body: { email: uniqueEmail("nobody"), password: uniquePassword() },
        }),
    },
    {
      label: "an unknown invitation",
      code: "INVALID_CREDENTIALS",
      call: () =>
        world.request("POST", "/v1/invitations/accept", {
          body: { token: `pos_inv_${randomToken()}`, password: uniquePassword() },
        }),
    },
    {
      label: "a rotation that would gain scopes",
      code: "ROLE_ESCALATION",
      call: async () => {
        const created = await world.request("POST", `/v1/keys?org=${partner.slug}`, {
          token: world.ownerToken,
          body: { name: uniqueSlug("narrow"), role: "partner_viewer", scopes: ["me.read"] },
        });
        return world.request("POST", `/v1/keys/${created.body.key.id}/rotate?org=${partner.slug}`, {
          token: world.ownerToken,
          body: { scopes: ["me.read", "users.read"] },
        });
      },
    },
  ];

  it.each(named(cases, (row) => row.label))(
    "%s answers with only code, message and requestId",
    async (_, { code, call }) => {
      const res = await call();

      expectErrorBody(res, code);
    },
  );
});
