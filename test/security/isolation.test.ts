/**
 * Tenant isolation, driven by the generated OpenAPI document. Two partners,
 * A and B, hold real data; A's partner_admin (a user session and a machine
 * key) aims every operation that takes an id at B's real ids and at random
 * ids of the same form, and the two answers must be the same. The table below
 * says how to aim each operation; the suite fails when the document gains an
 * id-taking operation, or an id field, that the table does not cover.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../core/errors.ts";
import { createWorld, type World } from "../harness.ts";
import { startTestDns, type TestDns } from "../support/dns-server.ts";
import { queue } from "../support/webhooks.ts";
import {
  auditHead,
  auditSince,
  createUser,
  expectErrorBody,
  expectStatus,
  named,
  OPERATOR_SLUG,
  type SeededUser,
  uniqueEmail,
  uniqueSlug,
  unknownId,
} from "./actors.ts";
import {
  dealBody,
  expectNoForeignIds,
  type OrgRows,
  orgRows,
  ownersOfIds,
  type PartnerFixture,
  seedCatalogue,
  seedPartner,
} from "./partner-fixtures.ts";

interface Sample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

type Where = "path" | "query" | "body" | "nested";
type Response = Awaited<ReturnType<World["request"]>>;

/** Where an id goes in the request, and B's real id against a random one of the same form. */
interface Target {
  label: string;
  foreign: () => string;
  random: () => string;
}

interface Aim {
  /** `path:dealId`, `query:org`, `body:customerId`, `body:items[].customerId`. */
  field: string;
  targets: Target[];
  /** The request with `id` in that place; every other input is A's own and valid. */
  sample: (id: string) => Sample;
  /** The status both answers must have. */
  status: 200 | 401 | 403 | 404;
  /** Sent without a credential, with A's admin user's password in the body instead. */
  public?: boolean;
  /** What a 200 answer must hold none of: its `data` unless said otherwise. */
  rows?: (body: any) => unknown[];
}

interface Coverage {
  aims: Aim[];
  /** Fields that carry a global catalogue id: see "the catalogue" below. */
  catalogue?: string[];
  /** Fields named like ids that hold a third party's identifier (an OAuth client), never ours. */
  external?: string[];
  /** Fields naming something of the operator's own that no tenant owns (a master key version). */
  operatorOwned?: string[];
  /** Operations that read or write partner data through resolvePartnerScope. */
  partnerData?: boolean;
}

/** Names that carry an id or an org reference, wherever they appear. */
const ID_NAME = /^(org|actor|partners)$|Ids?$/;

let world: World;
let products: string[];
let a: PartnerFixture;
let b: PartnerFixture;
let admin: SeededUser;
let owners: Map<string, string>;
let before: { a: OrgRows; b: OrgRows };
let aCredentialId: string;
let bCredentialId: string;
let credentialsBefore: { a: unknown[]; b: unknown[] };
let aDomainId: string;
let bDomainId: string;
let domainsBefore: { a: unknown[]; b: unknown[] };
let aWebhookId: string;
let bWebhookId: string;
let webhooksBefore: { a: unknown[]; b: unknown[] };
let aDeliveryId: string;
let bDeliveryId: string;
let deliveriesBefore: { a: unknown[]; b: unknown[] };
let aEventId: string;
let bEventId: string;
let dns: TestDns;

// B's targets. They are read when a test runs, after beforeAll has seeded.
const bSlug: Target = {
  label: "B's slug",
  foreign: () => b.tenant.slug,
  random: () => uniqueSlug("absent"),
};
const bOrgId: Target = {
  label: "B's org id",
  foreign: () => b.tenant.id,
  random: () => unknownId("org"),
};
const bUser: Target = {
  label: "B's user",
  foreign: () => first(b.users),
  random: () => unknownId("user"),
};
const bKey: Target = {
  label: "B's key",
  foreign: () => first(b.keys.slice(1)),
  random: () => unknownId("key"),
};
const bAdminKey: Target = {
  label: "B's admin key",
  foreign: () => b.admin.id,
  random: () => unknownId("key"),
};
const bCustomer: Target = {
  label: "B's customer",
  foreign: () => first(b.customers),
  random: () => unknownId("customer"),
};
/** The last customer is one no deal refers to, so a wrongful delete would succeed. */
const bFreeCustomer: Target = {
  label: "B's unreferenced customer",
  foreign: () => b.customers.at(-1) as string,
  random: () => unknownId("customer"),
};
const bDeal: Target = {
  label: "B's deal",
  foreign: () => first(b.deals),
  random: () => unknownId("deal"),
};
const bCredential: Target = {
  label: "B's credential",
  foreign: () => bCredentialId,
  random: () => unknownId("credential"),
};
const bDomain: Target = {
  label: "B's domain",
  foreign: () => bDomainId,
  random: () => unknownId("domain"),
};
const bWebhook: Target = {
  label: "B's webhook endpoint",
  foreign: () => bWebhookId,
  random: () => unknownId("webhook"),
};
const bDelivery: Target = {
  label: "B's webhook delivery",
  foreign: () => bDeliveryId,
  random: () => unknownId("delivery"),
};
const bEvent: Target = {
  label: "B's event",
  foreign: () => bEventId,
  random: () => unknownId("event"),
};
const aProduct: Target = {
  label: "a catalogue product",
  foreign: () => first(products),
  random: () => unknownId("product"),
};

function first(ids: readonly string[]): string {
  const id = ids[0];
  if (id === undefined) throw new Error("the fixture has no such row");
  return id;
}

/** Aims `org` at B (by slug and by id) on a request that would otherwise succeed for A. */
function orgAim(status: 404 | 403, rest: () => Omit<Sample, "query"> = () => ({})): Aim {
  return {
    field: "query:org",
    targets: [bSlug, bOrgId],
    sample: (org) => ({ ...rest(), query: { org } }),
    status,
  };
}

function pathAim(param: string, targets: Target[], status: Aim["status"], body?: () => unknown) {
  return {
    field: `path:${param}`,
    targets,
    sample: (id: string) => ({
      params: { [param]: id },
      ...(body === undefined ? {} : { body: body() }),
    }),
    status,
  } satisfies Aim;
}

const credentialBody = (name: string) => ({
  name,
  kind: "api_key",
  settings: { service: "crm" },
  secrets: { key: `key-of-${name}-0123456789` },
});

/** A credential whose test the outbound guard refuses (loopback) before anything is sent. */
const guardedCredentialBody = (name: string) => ({
  ...credentialBody(name),
  settings: { service: "crm", baseUrl: "http://127.0.0.1:9/" },
});

/** An endpoint at a public address literal: accepted without a DNS lookup. */
const webhookBody = () => ({ url: "https://93.184.216.34/hook", eventTypes: ["event.sale"] });

/** A click of A's that passes every field rule; refs and eventId may be overridden. */
const newEvent = (fields: { eventId?: string; customerId?: string; dealId?: string } = {}) => ({
  eventId: uniqueSlug("attack"),
  type: "click",
  occurredAt: "2026-01-15T10:30:00Z",
  ...fields,
});

/** The items of an ingest report that were taken in. */
const acceptedItems = (body: any) =>
  body.results.filter((r: { outcome: string }) => r.outcome !== "rejected");

const newDeal = (refs: { customerId?: string | null; ownerUserId?: string | null } = {}) =>
  dealBody(uniqueSlug("attack"), first(products), "Engaging", refs);

/** Every operation that takes an id, keyed by operationId: how to aim it at B. */
const TABLE: Record<string, Coverage> = {
  // Owner only (test/security/openapi-walk.test.ts); a version belongs to no tenant.
  retireMasterKey: { aims: [], operatorOwned: ["path:version"] },
  login: {
    aims: [
      {
        field: "body:org",
        targets: [bSlug, bOrgId],
        sample: (org) => ({ body: { email: admin.email, password: admin.password, org } }),
        status: 401,
        public: true,
      },
    ],
  },
  getTenant: { aims: [pathAim("tenant", [bSlug, bOrgId], 403)] },
  suspendTenant: { aims: [pathAim("tenant", [bSlug, bOrgId], 403)] },
  resumeTenant: { aims: [pathAim("tenant", [bSlug, bOrgId], 403)] },
  listUsers: { aims: [orgAim(404)] },
  inviteUser: {
    aims: [
      orgAim(404, () => ({
        body: { email: uniqueEmail("attack"), name: "Attack", role: "partner_viewer" },
      })),
    ],
  },
  setUserRole: {
    aims: [
      orgAim(404, () => ({ params: { userId: first(a.users) }, body: { role: "partner_viewer" } })),
      pathAim("userId", [bUser], 404, () => ({ role: "partner_viewer" })),
    ],
  },
  removeUser: {
    aims: [
      orgAim(404, () => ({ params: { userId: first(a.users) } })),
      pathAim("userId", [bUser], 404),
    ],
  },
  listKeys: { aims: [orgAim(404)] },
  createKey: {
    aims: [orgAim(404, () => ({ body: { name: uniqueSlug("attack"), role: "partner_viewer" } }))],
  },
  revokeKey: {
    aims: [
      orgAim(404, () => ({ params: { keyId: first(a.keys.slice(1)) } })),
      pathAim("keyId", [bKey, bAdminKey], 404),
    ],
  },
  rotateKey: {
    aims: [
      orgAim(404, () => ({ params: { keyId: first(a.keys.slice(1)) }, body: {} })),
      pathAim("keyId", [bKey, bAdminKey], 404, () => ({ gracePeriod: "1h" })),
    ],
  },
  listAudit: {
    aims: [
      orgAim(404),
      {
        field: "query:actor",
        targets: [bAdminKey],
        sample: (actor) => ({ query: { actor } }),
        status: 200,
      },
    ],
  },
  getProduct: { aims: [], catalogue: ["path:productId"] },
  updateProduct: { aims: [], catalogue: ["path:productId"] },
  listCustomers: { aims: [orgAim(404)], partnerData: true },
  createCustomer: {
    aims: [orgAim(404, () => ({ body: { externalRef: uniqueSlug("attack"), name: "Attack" } }))],
    partnerData: true,
  },
  upsertCustomers: {
    aims: [
      orgAim(404, () => ({
        body: { items: [{ externalRef: "cust-0", name: "Overwritten by A" }] },
      })),
    ],
    partnerData: true,
  },
  getCustomer: {
    aims: [
      orgAim(404, () => ({ params: { customerId: first(a.customers) } })),
      pathAim("customerId", [bCustomer], 404),
    ],
    partnerData: true,
  },
  updateCustomer: {
    aims: [
      orgAim(404, () => ({ params: { customerId: first(a.customers) }, body: { name: "X" } })),
      pathAim("customerId", [bCustomer], 404, () => ({ name: "Renamed by A" })),
    ],
    partnerData: true,
  },
  deleteCustomer: {
    aims: [
      orgAim(404, () => ({ params: { customerId: a.customers.at(-1) as string } })),
      pathAim("customerId", [bFreeCustomer], 404),
    ],
    partnerData: true,
  },
  listDeals: {
    aims: [
      orgAim(404),
      {
        field: "query:customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ query: { customerId } }),
        status: 200,
      },
      {
        field: "query:ownerUserId",
        targets: [bUser],
        sample: (ownerUserId) => ({ query: { ownerUserId } }),
        status: 200,
      },
    ],
    catalogue: ["query:productId"],
    partnerData: true,
  },
  createDeal: {
    aims: [
      orgAim(404, () => ({ body: newDeal() })),
      {
        field: "body:customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ body: newDeal({ customerId }) }),
        status: 404,
      },
      {
        field: "body:ownerUserId",
        targets: [bUser],
        sample: (ownerUserId) => ({ body: newDeal({ ownerUserId }) }),
        status: 404,
      },
    ],
    catalogue: ["body:productId"],
    partnerData: true,
  },
  upsertDeals: {
    aims: [
      orgAim(404, () => ({ body: { items: [newDeal()] } })),
      // A valid item of A's first, so a half-applied batch would show in A's rows.
      {
        field: "body:items[].customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ body: { items: [newDeal(), newDeal({ customerId })] } }),
        status: 404,
      },
      {
        field: "body:items[].ownerUserId",
        targets: [bUser],
        sample: (ownerUserId) => ({ body: { items: [newDeal(), newDeal({ ownerUserId })] } }),
        status: 404,
      },
    ],
    catalogue: ["body:items[].productId"],
    partnerData: true,
  },
  getDeal: {
    aims: [
      orgAim(404, () => ({ params: { dealId: first(a.deals) } })),
      pathAim("dealId", [bDeal], 404),
    ],
    partnerData: true,
  },
  updateDeal: {
    aims: [
      orgAim(404, () => ({ params: { dealId: first(a.deals) }, body: { amount: 1 } })),
      pathAim("dealId", [bDeal], 404, () => ({ amount: 1 })),
      {
        field: "body:customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ params: { dealId: first(a.deals) }, body: { customerId } }),
        status: 404,
      },
      {
        field: "body:ownerUserId",
        targets: [bUser],
        sample: (ownerUserId) => ({ params: { dealId: first(a.deals) }, body: { ownerUserId } }),
        status: 404,
      },
    ],
    catalogue: ["body:productId"],
    partnerData: true,
  },
  deleteDeal: {
    aims: [
      orgAim(404, () => ({ params: { dealId: first(a.deals) } })),
      pathAim("dealId", [bDeal], 404),
    ],
    partnerData: true,
  },
  listCredentials: { aims: [orgAim(404)], partnerData: true },
  setCredential: {
    aims: [orgAim(404, () => ({ body: credentialBody(uniqueSlug("attack")) }))],
    external: ["body:settings.clientId"],
    partnerData: true,
  },
  getCredential: {
    aims: [
      orgAim(404, () => ({ params: { credentialId: aCredentialId } })),
      pathAim("credentialId", [bCredential], 404),
    ],
    partnerData: true,
  },
  deleteCredential: {
    aims: [
      orgAim(404, () => ({ params: { credentialId: aCredentialId } })),
      pathAim("credentialId", [bCredential], 404),
    ],
    partnerData: true,
  },
  testCredential: {
    aims: [
      orgAim(404, () => ({ params: { credentialId: aCredentialId } })),
      pathAim("credentialId", [bCredential], 404),
    ],
    partnerData: true,
  },
  listDomains: { aims: [orgAim(404)], partnerData: true },
  addDomain: {
    aims: [orgAim(404, () => ({ body: { hostname: `${uniqueSlug("attack")}.a.test` } }))],
    partnerData: true,
  },
  getDomain: {
    aims: [
      orgAim(404, () => ({ params: { domainId: aDomainId } })),
      pathAim("domainId", [bDomain], 404),
    ],
    partnerData: true,
  },
  verifyDomain: {
    aims: [
      orgAim(404, () => ({ params: { domainId: aDomainId } })),
      pathAim("domainId", [bDomain], 404),
    ],
    partnerData: true,
  },
  removeDomain: {
    aims: [
      orgAim(404, () => ({ params: { domainId: aDomainId } })),
      pathAim("domainId", [bDomain], 404),
    ],
    partnerData: true,
  },
  getBranding: { aims: [orgAim(404)], partnerData: true },
  ingestEvents: {
    aims: [
      orgAim(404, () => ({ body: newEvent() })),
      {
        field: "body:customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ body: newEvent({ customerId }) }),
        status: 404,
      },
      {
        field: "body:dealId",
        targets: [bDeal],
        sample: (dealId) => ({ body: newEvent({ customerId: first(a.customers), dealId }) }),
        status: 404,
      },
      // One fixed eventId: the item is refused either way, and its result echoes the id.
      {
        field: "body:events[].customerId",
        targets: [bCustomer],
        sample: (customerId) => ({
          body: { events: [newEvent({ eventId: "aim-1", customerId })] },
        }),
        status: 200,
        rows: acceptedItems,
      },
      {
        field: "body:events[].dealId",
        targets: [bDeal],
        sample: (dealId) => ({ body: { events: [newEvent({ eventId: "aim-2", dealId })] } }),
        status: 200,
        rows: acceptedItems,
      },
    ],
    // The partner's own idempotency keys, per org by design (test/security/events.test.ts).
    external: ["body:eventId", "body:events[].eventId"],
    partnerData: true,
  },
  listEvents: {
    aims: [
      orgAim(404),
      {
        field: "query:customerId",
        targets: [bCustomer],
        sample: (customerId) => ({ query: { customerId } }),
        status: 200,
      },
      {
        field: "query:dealId",
        targets: [bDeal],
        sample: (dealId) => ({ query: { dealId } }),
        status: 200,
      },
    ],
    partnerData: true,
  },
  getEvent: {
    aims: [
      orgAim(404, () => ({ params: { eventId: aEventId } })),
      pathAim("eventId", [bEvent], 404),
    ],
    partnerData: true,
  },
  putBranding: {
    aims: [orgAim(404, () => ({ body: { displayName: "Rebranded by A" } }))],
    partnerData: true,
  },
  listWebhooks: { aims: [orgAim(404)] },
  createWebhook: { aims: [orgAim(404, () => ({ body: webhookBody() }))] },
  getWebhook: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId } })),
      pathAim("webhookId", [bWebhook], 404),
    ],
  },
  updateWebhook: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId }, body: { description: "X" } })),
      pathAim("webhookId", [bWebhook], 404, () => ({ status: "disabled" })),
    ],
  },
  deleteWebhook: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId } })),
      pathAim("webhookId", [bWebhook], 404),
    ],
  },
  rotateWebhookSecret: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId }, body: {} })),
      pathAim("webhookId", [bWebhook], 404, () => ({ gracePeriod: "1h" })),
    ],
  },
  listWebhookDeliveries: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId } })),
      pathAim("webhookId", [bWebhook], 404),
    ],
  },
  getWebhookDelivery: {
    aims: [
      orgAim(404, () => ({ params: { deliveryId: aDeliveryId } })),
      pathAim("deliveryId", [bDelivery], 404),
    ],
  },
  replayWebhookDelivery: {
    aims: [
      orgAim(404, () => ({ params: { deliveryId: aDeliveryId } })),
      pathAim("deliveryId", [bDelivery], 404),
    ],
  },
  // Nothing is sent: the scope refuses B's endpoint before a message exists.
  testWebhook: {
    aims: [
      orgAim(404, () => ({ params: { webhookId: aWebhookId } })),
      pathAim("webhookId", [bWebhook], 404),
    ],
  },
  queryCrossPartnerDeals: {
    aims: [
      {
        field: "body:partners",
        targets: [bSlug, bOrgId],
        sample: (ref) => ({ body: { partners: [ref], reason: "attack", groupBy: "stage" } }),
        status: 403,
      },
      {
        field: "body:productId",
        targets: [aProduct],
        sample: (productId) => ({
          body: { partners: "all", reason: "attack", groupBy: "stage", productId },
        }),
        status: 403,
      },
    ],
  },
};

const ACTORS = ["partner_admin session", "partner_admin key"] as const;
type ActorLabel = (typeof ACTORS)[number];

const STATUS_CODES: Record<number, ErrorCode> = {
  401: "INVALID_CREDENTIALS",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
};

function tokenOf(actor: ActorLabel): string {
  return actor === "partner_admin key" ? a.admin.token : admin.token;
}

function whereOf(field: string): Where {
  if (field.startsWith("path:")) return "path";
  if (field.startsWith("query:")) return "query";
  return field.includes("[]") ? "nested" : "body";
}

const ROWS = Object.entries(TABLE).flatMap(([operationId, coverage]) =>
  coverage.aims.flatMap((aim) =>
    aim.targets.flatMap((target) =>
      (aim.public ? ["A's admin password"] : (ACTORS as readonly string[])).map((actor) => ({
        operationId,
        actor,
        aim,
        target,
        label: [
          operationId,
          actor,
          `${whereOf(aim.field)} ${aim.field.replace(/^\w+:/, "")} = ${target.label}`,
        ].join(" × "),
      })),
    ),
  ),
);

// ---------------------------------------------------------------------------
// The document

interface Operation {
  operationId: string;
  method: string;
  path: string;
  tags: string[];
  queryParams: string[];
  /** Every place the operation takes an id, as `path:x`, `query:x`, `body:x`, `body:a[].x`. */
  idFields: string[];
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

function resolveRef(doc: any, schema: any): any {
  let current = schema;
  while (current?.$ref) {
    const path = String(current.$ref).replace(/^#\//, "").split("/");
    current = path.reduce((node, key) => node?.[key], doc);
  }
  return current ?? {};
}

/** Id-carrying properties of a body schema, through $refs, unions and array items. */
function bodyIdFields(doc: any, schema: any, prefix: string, seen = new Set<unknown>()): string[] {
  const s = resolveRef(doc, schema);
  if (seen.has(s)) return [];
  seen.add(s);
  const found: string[] = [];
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) {
    found.push(...bodyIdFields(doc, alt, prefix, seen));
  }
  if (s.items) found.push(...bodyIdFields(doc, s.items, `${prefix}[]`, seen));
  for (const [name, property] of Object.entries<any>(s.properties ?? {})) {
    const path = prefix === "" ? name : `${prefix}.${name}`;
    if (ID_NAME.test(name)) found.push(path);
    found.push(...bodyIdFields(doc, property, path, seen));
  }
  return found;
}

function operationsOf(doc: any): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters: any[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      const idFields = [
        ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => `path:${m[1]}`),
        ...parameters
          .filter((p) => p.in === "query" && ID_NAME.test(p.name))
          .map((p) => `query:${p.name}`),
        ...(schema ? bodyIdFields(doc, schema, "").map((f) => `body:${f}`) : []),
      ];
      found.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        tags: op.tags ?? [],
        queryParams: parameters.filter((p) => p.in === "query").map((p) => p.name),
        idFields: [...new Set(idFields)].sort(),
      });
    }
  }
  return found;
}

let operations: Map<string, Operation>;

function operation(operationId: string): Operation {
  const op = operations.get(operationId);
  if (!op) throw new Error(`the document has no operation ${operationId}`);
  return op;
}

function send(operationId: string, sample: Sample, token?: string): Promise<Response> {
  const op = operation(operationId);
  const path = op.path.replaceAll(/\{(\w+)\}/g, (_, name: string) => {
    const value = sample.params?.[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${operationId}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams(sample.query);
  const search = query.size > 0 ? `?${query}` : "";
  return world.request(op.method, `${path}${search}`, {
    ...(token === undefined ? {} : { token }),
    ...(sample.body === undefined ? {} : { body: sample.body }),
  });
}

/** The answer as a client can compare it: everything but the request id. */
function comparable(res: Response) {
  const body = res.body?.error
    ? { error: { code: res.body.error.code, message: res.body.error.message } }
    : res.body;
  return { status: res.status, body };
}

async function get(path: string, token: string): Promise<Response> {
  const res = await world.request("GET", path, { token });
  expectStatus(res, 200);
  return res;
}

/** Every page of a paged list, following nextCursor. */
async function allPages(path: string, token: string): Promise<Response[]> {
  const pages: Response[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = cursor === null ? path : `${path}${sep}cursor=${cursor}`;
    const page = await get(url, token);
    pages.push(page);
    cursor = page.body.nextCursor;
    expect(pages.length, `${path} does not end`).toBeLessThan(100);
  } while (cursor !== null);
  return pages;
}

function expectOnlyA(res: Response, rows: { id: string; orgId: string | null }[]): void {
  expect(
    rows.filter((row) => row.orgId !== a.tenant.id),
    JSON.stringify(res.body),
  ).toEqual([]);
  expectNoForeignIds(res.body, owners, a.tenant.id);
}

beforeAll(async () => {
  // Domain proofs are looked up on a DNS server of the test's own, holding no records.
  dns = await startTestDns();
  world = await createWorld({ dnsResolver: dns.address });
  operations = new Map(operationsOf(world.document()).map((op) => [op.operationId, op]));
  products = await seedCatalogue(world, ["Gizmo", "Widget"]);
  const counts = { users: 2, keys: 2, customers: 5, deals: 4 };
  a = await seedPartner(world, "tenant-a", products, counts);
  b = await seedPartner(world, "tenant-b", products, counts);
  admin = await createUser(world, a.tenant.slug, "partner_admin");
  owners = await ownersOfIds(world);
  aCredentialId = await seedCredential(a.tenant.slug);
  bCredentialId = await seedCredential(b.tenant.slug);
  aDomainId = await seedDomain(a.tenant.slug);
  bDomainId = await seedDomain(b.tenant.slug);
  aEventId = await seedEvent(a.tenant.slug);
  bEventId = await seedEvent(b.tenant.slug);
  domainsBefore = { a: await domainRows(a.tenant.id), b: await domainRows(b.tenant.id) };
  aWebhookId = await seedWebhook(a.tenant.slug);
  bWebhookId = await seedWebhook(b.tenant.slug);
  webhooksBefore = { a: await webhookRows(a.tenant.id), b: await webhookRows(b.tenant.id) };
  aDeliveryId = await seedDelivery(a.tenant.id);
  bDeliveryId = await seedDelivery(b.tenant.id);
  deliveriesBefore = { a: await deliveryRows(a.tenant.id), b: await deliveryRows(b.tenant.id) };
  before = { a: await orgRows(world, a.tenant.id), b: await orgRows(world, b.tenant.id) };
  credentialsBefore = {
    a: await credentialRows(a.tenant.id),
    b: await credentialRows(b.tenant.id),
  };
});

async function seedCredential(
  org: string,
  body: unknown = credentialBody(uniqueSlug("seed")),
): Promise<string> {
  const res = await world.request("POST", `/v1/credentials?org=${org}`, {
    token: world.ownerToken,
    body,
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function seedEvent(org: string): Promise<string> {
  const res = await world.request("POST", `/v1/events?org=${org}`, {
    token: world.ownerToken,
    body: newEvent(),
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function seedDomain(org: string): Promise<string> {
  const res = await world.request("POST", `/v1/domains?org=${org}`, {
    token: world.ownerToken,
    body: { hostname: `${uniqueSlug("seed")}.seeded.test` },
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function seedWebhook(org: string): Promise<string> {
  const res = await world.request("POST", `/v1/webhooks?org=${org}`, {
    token: world.ownerToken,
    body: webhookBody(),
  });
  expectStatus(res, 201);
  return res.body.webhook.id;
}

/** A queued delivery to the org's endpoint, written by the outbox as event ingest does. */
async function seedDelivery(orgId: string): Promise<string> {
  expect(await queue(world.store, orgId, [{ type: "event.sale", data: {} }])).toBe(1);
  const [row] = await deliveryRows(orgId);
  return row?.id ?? "";
}

function deliveryRows(orgId: string) {
  return world.store.db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
}

function webhookRows(orgId: string) {
  return world.store.db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
}

function domainRows(orgId: string) {
  return world.store.db
    .selectFrom("domains")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
}

function credentialRows(orgId: string) {
  return world.store.db
    .selectFrom("credentials")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
}

afterAll(async () => {
  await world?.close();
  await dns?.close();
});

describe("the coverage table", () => {
  it("names exactly the id-taking operations of the document, and every id each one takes", () => {
    const documented = Object.fromEntries(
      [...operations.values()]
        .filter((op) => op.idFields.length > 0)
        .map((op) => [op.operationId, op.idFields]),
    );
    const covered = Object.fromEntries(
      Object.entries(TABLE).map(([id, c]) => [
        id,
        [
          ...new Set([
            ...c.aims.map((aim) => aim.field),
            ...(c.catalogue ?? []),
            ...(c.external ?? []),
            ...(c.operatorOwned ?? []),
          ]),
        ].sort(),
      ]),
    );

    expect(Object.keys(covered).sort()).toEqual(Object.keys(documented).sort());
    expect(covered).toEqual(documented);
  });

  it("marks exactly the operations on partner-owned resources as partner data", () => {
    const partnerTags = ["customers", "deals", "credentials", "domains", "branding", "events"];
    const documented = [...operations.values()]
      .filter((op) => op.tags.some((tag) => partnerTags.includes(tag)))
      .map((op) => op.operationId)
      .sort();

    expect(PARTNER_DATA_OPS).toEqual(documented);
  });

  it("seeded both partners with every kind of row", () => {
    for (const fixture of [a, b]) {
      expect(fixture.users.length).toBeGreaterThan(0);
      expect(fixture.keys.length).toBeGreaterThan(1);
      expect(fixture.customers.length).toBeGreaterThan(1);
      expect(fixture.deals.length).toBeGreaterThan(1);
    }
    expect(before.b.deals.every((deal) => deal.customer_id && deal.owner_user_id)).toBe(true);
  });
});

describe("A aiming at B", () => {
  it.each(named(ROWS, (row) => row.label))(
    "%s answers exactly like a random id",
    async (_, { operationId, actor, aim, target }) => {
      const token = aim.public ? undefined : tokenOf(actor as ActorLabel);

      const foreign = await send(operationId, aim.sample(target.foreign()), token);
      const random = await send(operationId, aim.sample(target.random()), token);

      expect(foreign.status, JSON.stringify(foreign.body)).toBe(aim.status);
      expect(comparable(foreign)).toEqual(comparable(random));
      const code = STATUS_CODES[aim.status];
      if (code !== undefined) {
        expectErrorBody(foreign, code);
        expectErrorBody(random, code);
      } else {
        expect(aim.rows ? aim.rows(foreign.body) : foreign.body.data).toEqual([]);
      }
      expectNoForeignIds(foreign.body, owners, a.tenant.id);
    },
  );

  it("leaves every row of B as it was, byte for byte", async () => {
    expect(await orgRows(world, b.tenant.id)).toEqual(before.b);
  });

  it("leaves A's own rows as they were too: every attempt was refused unwritten", async () => {
    expect(await orgRows(world, a.tenant.id)).toEqual(before.a);
  });

  it("leaves both orgs' credentials as they were, ciphertext for ciphertext", async () => {
    expect(credentialsBefore.b).toHaveLength(1);
    expect(await credentialRows(b.tenant.id)).toEqual(credentialsBefore.b);
    expect(await credentialRows(a.tenant.id)).toEqual(credentialsBefore.a);
    expect(domainsBefore.b).toHaveLength(1);
    expect(await domainRows(b.tenant.id)).toEqual(domainsBefore.b);
  });

  it("leaves both orgs' webhook endpoints as they were, signing secrets and all", async () => {
    expect(webhooksBefore.b).toHaveLength(1);
    expect(await webhookRows(b.tenant.id)).toEqual(webhooksBefore.b);
    expect(await webhookRows(a.tenant.id)).toEqual(webhooksBefore.a);
  });

  it("leaves both orgs' webhook deliveries as they were, none replayed or added", async () => {
    expect(deliveriesBefore.b).toHaveLength(1);
    expect(await deliveryRows(b.tenant.id)).toEqual(deliveriesBefore.b);
    expect(await deliveryRows(a.tenant.id)).toEqual(deliveriesBefore.a);
  });
});

describe("A's lists", () => {
  it.each(ACTORS)("of users hold A's users only, for the %s", async (actor) => {
    const res = await get("/v1/users", tokenOf(actor));

    expectOnlyA(res, res.body.data);
    expect(res.body.data.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(a.users));
  });

  it.each(ACTORS)("of keys hold A's keys only, for the %s", async (actor) => {
    const res = await get("/v1/keys", tokenOf(actor));

    expectOnlyA(res, res.body.data);
    expect(res.body.data.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining(a.keys));
  });

  it.each(ACTORS)(
    "of audit records hold A's records only, on every page, for the %s",
    async (actor) => {
      const pages = await allPages("/v1/audit?limit=7", tokenOf(actor));

      for (const page of pages) expectOnlyA(page, page.body.data);
      const targets = pages.flatMap((page) => page.body.data.map((r: any) => r.targetId));
      expect(targets).toEqual(expect.arrayContaining([...a.customers, ...a.deals]));
    },
  );

  const customerFilters = [
    "",
    "sector=retail",
    "country=nowhere",
    "externalRef=cust-0",
    "externalRef=cust-4",
  ];
  const customerSorts = ["name", "externalRef", "createdAt"].flatMap((s) => [s, `-${s}`]);
  const customerRows = ACTORS.flatMap((actor) =>
    customerFilters.map((filter) => ({ actor, filter })),
  );

  it.each(named(customerRows, (r) => `${r.filter || "no filter"} for the ${r.actor}`))(
    "of customers hold A's customers only, in every sort, with %s",
    async (_, { actor, filter }) => {
      for (const sort of customerSorts) {
        const pages = await allPages(
          `/v1/customers?limit=2&sort=${sort}${filter ? `&${filter}` : ""}`,
          tokenOf(actor),
        );

        for (const page of pages) expectOnlyA(page, page.body.data);
        if (filter.startsWith("externalRef")) {
          expect(pages.flatMap((p) => p.body.data)).toHaveLength(1);
        }
      }
    },
  );

  /** Filters by name; values are read when the test runs, after seeding. */
  const dealFilters: [string, () => string][] = [
    ["no filter", () => ""],
    ...["Prospecting", "Engaging", "Won", "Lost"].map((stage): [string, () => string] => [
      `stage ${stage}`,
      () => `stage=${stage}`,
    ]),
    ["the first product", () => `productId=${products[0]}`],
    ["the second product", () => `productId=${products[1]}`],
    ["A's customer", () => `customerId=${first(a.customers)}`],
    ["B's customer", () => `customerId=${first(b.customers)}`],
    ["A's user", () => `ownerUserId=${first(a.users)}`],
    ["B's user", () => `ownerUserId=${first(b.users)}`],
    ["engagedFrom", () => "engagedFrom=2000-01-01"],
    ["engagedTo", () => "engagedTo=2099-12-31"],
    ["closedFrom", () => "closedFrom=2000-01-01"],
    ["closedTo", () => "closedTo=2099-12-31"],
  ];
  const dealSorts = ["createdAt", "externalRef", "engageDate", "closeDate", "amount"].flatMap(
    (s) => [s, `-${s}`],
  );
  const dealRows = ACTORS.flatMap((actor) =>
    dealFilters.map(([name, query]) => ({ actor, name, query })),
  );

  it.each(named(dealRows, (r) => `${r.name} for the ${r.actor}`))(
    "of deals hold A's deals only, in every sort and on every page, filtered by %s",
    async (_, { actor, name, query }) => {
      for (const sort of dealSorts) {
        const filter = query();
        const pages = await allPages(
          `/v1/deals?limit=2&sort=${sort}${filter ? `&${filter}` : ""}`,
          tokenOf(actor),
        );

        for (const page of pages) expectOnlyA(page, page.body.data);
        const ids = pages.flatMap((p) => p.body.data.map((d: { id: string }) => d.id));
        expect(new Set(ids).size).toBe(ids.length);
        if (name === "no filter") expect(ids.sort()).toEqual([...a.deals].sort());
      }
    },
  );
});

describe("A naming its own org", () => {
  const rows = ACTORS.flatMap((actor) => (["slug", "id"] as const).map((by) => ({ actor, by })));

  it.each(named(rows, (r) => `its ${r.by}, for the ${r.actor}`))(
    "by %s gets its own deals, exactly as without org",
    async (_, { actor, by }) => {
      const org = by === "slug" ? a.tenant.slug : a.tenant.id;

      const withOrg = await get(`/v1/deals?org=${org}&limit=500`, tokenOf(actor));
      const plain = await get("/v1/deals?limit=500", tokenOf(actor));

      expect(withOrg.body).toEqual(plain.body);
      expectOnlyA(withOrg, withOrg.body.data);
    },
  );
});

describe("the catalogue", () => {
  it.each(ACTORS)("is readable by the %s, whole and by id", async (actor) => {
    const list = await get("/v1/products", tokenOf(actor));
    const one = await get(`/v1/products/${first(products)}`, tokenOf(actor));

    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining(products),
    );
    expect(one.body.id).toBe(first(products));
  });

  it.each(ACTORS)("cannot be written by the %s", async (actor) => {
    const productBefore = await get(`/v1/products/${first(products)}`, world.ownerToken);

    const created = await send(
      "createProduct",
      { body: { name: uniqueSlug("attack"), currency: "EUR" } },
      tokenOf(actor),
    );
    const updated = await send(
      "updateProduct",
      { params: { productId: first(products) }, body: { listPrice: 1 } },
      tokenOf(actor),
    );

    expectErrorBody(created, "FORBIDDEN");
    expectErrorBody(updated, "FORBIDDEN");
    const productAfter = await get(`/v1/products/${first(products)}`, world.ownerToken);
    expect(productAfter.body).toEqual(productBefore.body);
    const all = await get("/v1/products", world.ownerToken);
    expect(all.body.data).toHaveLength(products.length);
  });

  it("is shared, yet a product filter shows A only A's deals of it", async () => {
    const product = first(products);
    const bUses = before.b.deals.filter((deal) => deal.product_id === product);
    expect(bUses.length).toBeGreaterThan(0);

    const res = await get(`/v1/deals?productId=${product}&limit=500`, a.admin.token);

    expectOnlyA(res, res.body.data);
    expect(res.body.data.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------
// Operators

const PARTNER_DATA_OPS = Object.entries(TABLE)
  .filter(([, c]) => c.partnerData)
  .map(([id]) => id)
  .sort();

/** A request that works for an operator naming A; may create what it needs first. */
const OPERATOR_SAMPLES: Record<string, (org: string) => Promise<Sample>> = {
  listCustomers: async () => ({}),
  createCustomer: async () => ({ body: { externalRef: uniqueSlug("op"), name: "By operator" } }),
  upsertCustomers: async () => ({
    body: { items: [{ externalRef: uniqueSlug("op"), name: "By operator" }] },
  }),
  getCustomer: async () => ({ params: { customerId: first(a.customers) } }),
  updateCustomer: async (org) => ({
    params: { customerId: await throwawayCustomer(org) },
    body: { name: "Renamed by operator" },
  }),
  deleteCustomer: async (org) => ({ params: { customerId: await throwawayCustomer(org) } }),
  listDeals: async () => ({}),
  createDeal: async () => ({ body: newDeal({ customerId: first(a.customers) }) }),
  upsertDeals: async () => ({ body: { items: [newDeal()] } }),
  getDeal: async () => ({ params: { dealId: first(a.deals) } }),
  updateDeal: async (org) => ({
    params: { dealId: await throwawayDeal(org) },
    body: { amount: 7 },
  }),
  deleteDeal: async (org) => ({ params: { dealId: await throwawayDeal(org) } }),
  listCredentials: async () => ({}),
  setCredential: async () => ({ body: credentialBody(uniqueSlug("op")) }),
  getCredential: async () => ({ params: { credentialId: aCredentialId } }),
  deleteCredential: async (org) => ({ params: { credentialId: await seedCredential(org) } }),
  testCredential: async (org) => ({
    params: { credentialId: await seedCredential(org, guardedCredentialBody(uniqueSlug("op"))) },
  }),
  listDomains: async () => ({}),
  addDomain: async () => ({ body: { hostname: `${uniqueSlug("op")}.a.test` } }),
  getDomain: async () => ({ params: { domainId: aDomainId } }),
  verifyDomain: async (org) => ({ params: { domainId: await seedDomain(org) } }),
  removeDomain: async (org) => ({ params: { domainId: await seedDomain(org) } }),
  getBranding: async () => ({}),
  putBranding: async () => ({ body: { displayName: "Set by operator" } }),
  ingestEvents: async () => ({ body: { events: [newEvent()] } }),
  listEvents: async () => ({}),
  getEvent: async () => ({ params: { eventId: aEventId } }),
};

async function throwawayCustomer(org: string): Promise<string> {
  const res = await world.request("POST", `/v1/customers?org=${org}`, {
    token: world.ownerToken,
    body: { externalRef: uniqueSlug("throwaway"), name: "Throwaway" },
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function throwawayDeal(org: string): Promise<string> {
  const res = await world.request("POST", `/v1/deals?org=${org}`, {
    token: world.ownerToken,
    body: newDeal(),
  });
  expectStatus(res, 201);
  return res.body.id;
}

describe("an operator", () => {
  // Webhook endpoints are the exception: an operator naming no org manages its own org's.
  const orgScoped = () =>
    [...operations.values()].filter(
      (op) =>
        op.queryParams.includes("org") &&
        op.operationId !== "listAudit" &&
        !op.tags.includes("webhooks"),
    );

  it("has a working sample for every partner-data operation", () => {
    expect(Object.keys(OPERATOR_SAMPLES).sort()).toEqual(PARTNER_DATA_OPS);
  });

  it("must name the org on every org-scoped operation (but the audit log and webhooks)", async () => {
    const refused: string[] = [];
    for (const op of orgScoped()) {
      const sample = await (OPERATOR_SAMPLES[op.operationId] ?? fallbackSample(op))(a.tenant.slug);

      const res = await send(op.operationId, sample, world.ownerToken);

      expectErrorBody(res, "SCOPE_REQUIRED");
      refused.push(op.operationId);
    }
    expect(refused).toEqual(expect.arrayContaining(PARTNER_DATA_OPS));
  });

  it.each(PARTNER_DATA_OPS)(
    "is refused %s without org, 400 SCOPE_REQUIRED, and nothing is audited",
    async (operationId) => {
      const sample = await OPERATOR_SAMPLES[operationId]?.(a.tenant.slug);
      const seq = await auditHead(world);

      const res = await send(operationId, sample ?? {}, world.ownerToken);

      expectErrorBody(res, "SCOPE_REQUIRED");
      expect(await auditSince(world, seq)).toEqual([]);
    },
  );

  const withOrg = PARTNER_DATA_OPS.flatMap((operationId) =>
    (["slug", "id"] as const).map((by) => ({ operationId, by })),
  );

  it.each(named(withOrg, (r) => `${r.operationId} with org=<A's ${r.by}>`))(
    "may call %s, and the access is audited as partner_data.accessed naming A",
    async (_, { operationId, by }) => {
      const org = by === "slug" ? a.tenant.slug : a.tenant.id;
      const sample = await OPERATOR_SAMPLES[operationId]?.(org);
      const seq = await auditHead(world);

      const res = await send(operationId, { ...sample, query: { org } }, world.ownerToken);

      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      const rows = res.body?.data ?? (res.body?.results ? [] : res.body ? [res.body] : []);
      for (const row of rows) expect(row.orgId).toBe(a.tenant.id);
      const accessed = (await auditSince(world, seq)).filter(
        (r) => r.action === "partner_data.accessed",
      );
      expect(accessed).toHaveLength(1);
      expect(accessed[0]).toMatchObject({
        org_id: a.tenant.id,
        target_type: "org",
        target_id: a.tenant.id,
        actor_org_id: world.operatorOrgId,
        request_id: res.headers.get("x-request-id"),
      });
      expect(JSON.parse(accessed[0]?.details ?? "{}")).toEqual({ operation: operationId });
    },
  );

  const links: { label: string; body: () => unknown; path: () => string; method: string }[] = [
    {
      label: "a new deal of A to B's customer",
      method: "POST",
      path: () => "/v1/deals",
      body: () => newDeal({ customerId: first(b.customers) }),
    },
    {
      label: "a new deal of A to B's user",
      method: "POST",
      path: () => "/v1/deals",
      body: () => newDeal({ ownerUserId: first(b.users) }),
    },
    {
      label: "A's deal to B's customer",
      method: "PATCH",
      path: () => `/v1/deals/${first(a.deals)}`,
      body: () => ({ customerId: first(b.customers) }),
    },
    {
      label: "a batch of A's deals to B's user",
      method: "POST",
      path: () => "/v1/deals/batch",
      body: () => ({ items: [newDeal(), newDeal({ ownerUserId: first(b.users) })] }),
    },
  ];

  it.each(named(links, (l) => l.label))(
    "scoped to A cannot link %s: 404, and neither org changes",
    async (_, { method, path, body }) => {
      const rowsBefore = {
        a: await orgRows(world, a.tenant.id),
        b: await orgRows(world, b.tenant.id),
      };

      const res = await world.request(method, `${path()}?org=${a.tenant.slug}`, {
        token: world.ownerToken,
        body: body(),
      });

      expectErrorBody(res, "NOT_FOUND");
      const after = { a: await orgRows(world, a.tenant.id), b: await orgRows(world, b.tenant.id) };
      expect(after.b).toEqual(rowsBefore.b);
      // The operator's access itself is audited in A; nothing else changes.
      expect({ ...after.a, audit: after.a.audit.length }).toEqual({
        ...rowsBefore.a,
        audit: rowsBefore.a.audit.length + 1,
      });
    },
  );

  it.each(PARTNER_DATA_OPS)(
    "naming its own org on %s is told the partner org does not exist",
    async (operationId) => {
      const sample = await OPERATOR_SAMPLES[operationId]?.(a.tenant.slug);

      const res = await send(
        operationId,
        { ...sample, query: { org: OPERATOR_SLUG } },
        world.ownerToken,
      );

      expectErrorBody(res, "NOT_FOUND");
    },
  );
});

function fallbackSample(op: Operation): (org: string) => Promise<Sample> {
  const samples: Record<string, Sample> = {
    inviteUser: { body: { email: uniqueEmail("op"), name: "Op", role: "partner_viewer" } },
    setUserRole: { params: { userId: first(a.users) }, body: { role: "partner_viewer" } },
    removeUser: { params: { userId: first(a.users) } },
    createKey: { body: { name: uniqueSlug("op"), role: "partner_viewer" } },
    revokeKey: { params: { keyId: first(a.keys.slice(1)) } },
    rotateKey: { params: { keyId: first(a.keys.slice(1)) }, body: {} },
  };
  return async () => samples[op.operationId] ?? {};
}

describe("cross-partner queries", () => {
  const bodies: [string, () => unknown][] = [
    ["A's own slug", () => [a.tenant.slug]],
    ["A's own id", () => [a.tenant.id]],
    ["all", () => "all"],
    ["B's slug", () => [b.tenant.slug]],
  ];
  const rows = ACTORS.flatMap((actor) =>
    bodies.map(([name, partners]) => ({ actor, name, partners })),
  );

  it.each(named(rows, (r) => `the ${r.actor} naming ${r.name}`))(
    "are refused to %s: 403, and nothing is queried or audited",
    async (_, { actor, partners }) => {
      const seq = await auditHead(world);

      const res = await world.request("POST", "/v1/cross-partner/deals/query", {
        token: tokenOf(actor),
        body: { partners: partners(), reason: "my own numbers", groupBy: "partner" },
      });

      expectErrorBody(res, "FORBIDDEN");
      expectNoForeignIds(res.body, owners, a.tenant.id);
      expect(await auditSince(world, seq)).toEqual([]);
    },
  );
});
