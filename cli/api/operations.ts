/**
 * One small function per daemon operation the CLI calls, over the typed client.
 * Paths, methods, parameters and bodies are checked by tsc against the generated
 * schema (./schema.gen.ts), and each operation's permission comes from there too.
 *
 * To add an operation once its route exists in daemon/routes/:
 *   1. `npm run client:generate` (commit cli/api/schema.gen.ts with the route);
 *   2. add a function here, e.g.
 *        export const listThings = (http: Http, org: OrgRef, query: T.Query<"listThings"> = {}) =>
 *          body(http.api.GET("/v1/things", { params: { query: { org, ...query } } }));
 *      (`done(...)` instead of `body(...)` for an operation answering 204);
 *   3. in the command, `operation: "GET /v1/things"`: its pre-flight permission is
 *      the route's own x-permission, looked up in OPERATION_PERMISSIONS.
 */
import type { Permission } from "../../core/permissions.ts";
import type { Http } from "../client.ts";
import { OPERATION_PERMISSIONS } from "./schema.gen.ts";
import type * as T from "./types.ts";

/** "METHOD /path" of an operation in the daemon's document. */
export type OperationKey = keyof typeof OPERATION_PERMISSIONS;

/** What a command can declare it calls: a documented operation, or the document itself. */
export type CommandOperation = OperationKey | typeof DOCUMENT;

/** Served beside the routes, outside the document it serves. */
export const DOCUMENT = "GET /openapi.json";

// Typed against the catalog: a route naming a permission the CLI does not know fails tsc.
const PERMISSIONS: Readonly<Record<OperationKey, Permission | "public">> = OPERATION_PERMISSIONS;

/** The permission the route declares, or undefined for a public one. */
export function permissionOf(operation: CommandOperation): Permission | undefined {
  if (operation === DOCUMENT) return undefined;
  const permission = PERMISSIONS[operation];
  return permission === "public" ? undefined : permission;
}

/** The org scope of a call: a slug or id, or undefined for the caller's own org. */
export type OrgRef = string | undefined;

/** The body of a success; the client has already thrown a CliError for anything else. */
async function body<D>(call: Promise<{ data?: D }>): Promise<D> {
  return (await call).data as D;
}

/** An operation answering 204. */
async function done(call: Promise<unknown>): Promise<undefined> {
  await call;
  return undefined;
}

const scoped = (org: OrgRef) => ({ params: { query: { org } } });

export const health = (http: Http) => body(http.api.GET("/healthz"));

export const ready = (http: Http) => body(http.api.GET("/readyz"));

export const openapi = (http: Http) => http.document();

export const login = (http: Http, json: T.Body<"login">) =>
  body(http.api.POST("/v1/auth/login", { body: json }));

export const logout = (http: Http) => done(http.api.POST("/v1/auth/logout"));

export const acceptInvitation = (http: Http, json: T.Body<"acceptInvitation">) =>
  body(http.api.POST("/v1/invitations/accept", { body: json }));

export const me = (http: Http) => body(http.api.GET("/v1/me"));

export const listTenants = (http: Http, status?: T.Query<"listTenants">["status"]) =>
  body(http.api.GET("/v1/tenants", { params: { query: { status } } }));

export const createTenant = (http: Http, json: T.Body<"createTenant">) =>
  body(http.api.POST("/v1/tenants", { body: json }));

export const showTenant = (http: Http, tenant: string) =>
  body(http.api.GET("/v1/tenants/{tenant}", { params: { path: { tenant } } }));

export const suspendTenant = (http: Http, tenant: string) =>
  body(http.api.POST("/v1/tenants/{tenant}/suspend", { params: { path: { tenant } } }));

export const resumeTenant = (http: Http, tenant: string) =>
  body(http.api.POST("/v1/tenants/{tenant}/resume", { params: { path: { tenant } } }));

export const listUsers = (http: Http, org: OrgRef) => body(http.api.GET("/v1/users", scoped(org)));

export const inviteUser = (http: Http, org: OrgRef, json: T.Body<"inviteUser">) =>
  body(http.api.POST("/v1/users", { ...scoped(org), body: json }));

export const updateUserRole = (
  http: Http,
  org: OrgRef,
  userId: string,
  role: T.Body<"setUserRole">["role"],
) =>
  body(
    http.api.PATCH("/v1/users/{userId}", {
      params: { path: { userId }, query: { org } },
      body: { role },
    }),
  );

export const removeUser = (http: Http, org: OrgRef, userId: string) =>
  done(http.api.DELETE("/v1/users/{userId}", { params: { path: { userId }, query: { org } } }));

export const listKeys = (http: Http, org: OrgRef) => body(http.api.GET("/v1/keys", scoped(org)));

export const createKey = (http: Http, org: OrgRef, json: T.CreateKeyBody) =>
  body(http.api.POST("/v1/keys", { ...scoped(org), body: json }));

export const revokeKey = (http: Http, org: OrgRef, keyId: string) =>
  body(http.api.POST("/v1/keys/{keyId}/revoke", { params: { path: { keyId }, query: { org } } }));

export const rotateKey = (http: Http, org: OrgRef, keyId: string, json: T.RotateKeyBody) =>
  body(
    http.api.POST("/v1/keys/{keyId}/rotate", {
      params: { path: { keyId }, query: { org } },
      body: json,
    }),
  );

export type AuditQuery = T.Query<"listAudit"> & { org?: string };

export const listAudit = (http: Http, query: AuditQuery) =>
  body(http.api.GET("/v1/audit", { params: { query } }));

export const verifyAudit = (http: Http) => body(http.api.GET("/v1/audit/verify"));

export const listProducts = (http: Http) => body(http.api.GET("/v1/products"));

export const createProduct = (http: Http, json: T.ProductInput) =>
  body(http.api.POST("/v1/products", { body: json }));

export const showProduct = (http: Http, productId: string) =>
  body(http.api.GET("/v1/products/{productId}", { params: { path: { productId } } }));

export const updateProduct = (http: Http, productId: string, json: T.ProductPatch) =>
  body(http.api.PATCH("/v1/products/{productId}", { params: { path: { productId } }, body: json }));

export type CustomerQuery = T.Query<"listCustomers">;

export const listCustomers = (http: Http, org: OrgRef, query: CustomerQuery = {}) =>
  body(http.api.GET("/v1/customers", { params: { query: { org, ...query } } }));

export const createCustomer = (http: Http, org: OrgRef, json: T.CustomerInput) =>
  body(http.api.POST("/v1/customers", { ...scoped(org), body: json }));

export const upsertCustomers = (http: Http, org: OrgRef, json: T.Body<"upsertCustomers">) =>
  body(http.api.POST("/v1/customers/batch", { ...scoped(org), body: json }));

export const showCustomer = (http: Http, org: OrgRef, customerId: string) =>
  body(
    http.api.GET("/v1/customers/{customerId}", {
      params: { path: { customerId }, query: { org } },
    }),
  );

export const updateCustomer = (
  http: Http,
  org: OrgRef,
  customerId: string,
  json: T.Body<"updateCustomer">,
) =>
  body(
    http.api.PATCH("/v1/customers/{customerId}", {
      params: { path: { customerId }, query: { org } },
      body: json,
    }),
  );

export const deleteCustomer = (http: Http, org: OrgRef, customerId: string) =>
  done(
    http.api.DELETE("/v1/customers/{customerId}", {
      params: { path: { customerId }, query: { org } },
    }),
  );

export type DealQuery = T.Query<"listDeals">;

export const listDeals = (http: Http, org: OrgRef, query: DealQuery = {}) =>
  body(http.api.GET("/v1/deals", { params: { query: { org, ...query } } }));

export const createDeal = (http: Http, org: OrgRef, json: T.DealInput) =>
  body(http.api.POST("/v1/deals", { ...scoped(org), body: json }));

export const upsertDeals = (http: Http, org: OrgRef, json: T.Body<"upsertDeals">) =>
  body(http.api.POST("/v1/deals/batch", { ...scoped(org), body: json }));

export const showDeal = (http: Http, org: OrgRef, dealId: string) =>
  body(http.api.GET("/v1/deals/{dealId}", { params: { path: { dealId }, query: { org } } }));

export const updateDeal = (http: Http, org: OrgRef, dealId: string, json: T.Body<"updateDeal">) =>
  body(
    http.api.PATCH("/v1/deals/{dealId}", {
      params: { path: { dealId }, query: { org } },
      body: json,
    }),
  );

export const deleteDeal = (http: Http, org: OrgRef, dealId: string) =>
  done(http.api.DELETE("/v1/deals/{dealId}", { params: { path: { dealId }, query: { org } } }));

export const queryCrossPartnerDeals = (http: Http, json: T.CrossPartnerQuery) =>
  body(http.api.POST("/v1/cross-partner/deals/query", { body: json }));

/**
 * One batch push. The items are sent as read: the daemon checks each one and
 * reports it, so the CLI does not second-guess the schema.
 */
export async function ingestEvents(
  http: Http,
  org: OrgRef,
  events: readonly unknown[],
): Promise<T.EventIngestReport> {
  const json = { events } as T.Body<"ingestEvents">;
  const answer = await body(http.api.POST("/v1/events", { ...scoped(org), body: json }));
  if (!answer || !("results" in answer)) throw new Error("a batch push answered no results");
  return answer;
}

export type EventQuery = T.Query<"listEvents">;

export const listEvents = (http: Http, org: OrgRef, query: EventQuery = {}) =>
  body(http.api.GET("/v1/events", { params: { query: { org, ...query } } }));

export const showEvent = (http: Http, org: OrgRef, eventId: string) =>
  body(http.api.GET("/v1/events/{eventId}", { params: { path: { eventId }, query: { org } } }));

export const masterKeyStatus = (http: Http) => body(http.api.GET("/v1/master-key"));

export const rotateMasterKey = (http: Http) => body(http.api.POST("/v1/master-key/rotate"));

export const retireMasterKey = (http: Http, version: number) =>
  body(
    http.api.POST("/v1/master-key/versions/{version}/retire", {
      params: { path: { version } },
    }),
  );

export const listCredentials = (http: Http, org: OrgRef) =>
  body(http.api.GET("/v1/credentials", scoped(org)));

export const setCredential = (http: Http, org: OrgRef, json: T.SetCredentialBody) =>
  body(http.api.POST("/v1/credentials", { ...scoped(org), body: json }));

export const showCredential = (http: Http, org: OrgRef, credentialId: string) =>
  body(
    http.api.GET("/v1/credentials/{credentialId}", {
      params: { path: { credentialId }, query: { org } },
    }),
  );

export const deleteCredential = (http: Http, org: OrgRef, credentialId: string) =>
  done(
    http.api.DELETE("/v1/credentials/{credentialId}", {
      params: { path: { credentialId }, query: { org } },
    }),
  );

export const testCredential = (http: Http, org: OrgRef, credentialId: string) =>
  body(
    http.api.POST("/v1/credentials/{credentialId}/test", {
      params: { path: { credentialId }, query: { org } },
    }),
  );

export const listDomains = (http: Http, org: OrgRef) =>
  body(http.api.GET("/v1/domains", scoped(org)));

export const addDomain = (http: Http, org: OrgRef, hostname: string) =>
  body(http.api.POST("/v1/domains", { ...scoped(org), body: { hostname } }));

export const showDomain = (http: Http, org: OrgRef, domainId: string) =>
  body(http.api.GET("/v1/domains/{domainId}", { params: { path: { domainId }, query: { org } } }));

export const verifyDomain = (http: Http, org: OrgRef, domainId: string) =>
  body(
    http.api.POST("/v1/domains/{domainId}/verify", {
      params: { path: { domainId }, query: { org } },
    }),
  );

export const removeDomain = (http: Http, org: OrgRef, domainId: string) =>
  done(
    http.api.DELETE("/v1/domains/{domainId}", { params: { path: { domainId }, query: { org } } }),
  );

export const getBranding = (http: Http, org: OrgRef) =>
  body(http.api.GET("/v1/branding", scoped(org)));

export const putBranding = (http: Http, org: OrgRef, json: T.BrandingBody) =>
  body(http.api.PUT("/v1/branding", { ...scoped(org), body: json }));

export const listWebhooks = (http: Http, org: OrgRef) =>
  body(http.api.GET("/v1/webhooks", scoped(org)));

export const createWebhook = (http: Http, org: OrgRef, json: T.CreateWebhookBody) =>
  body(http.api.POST("/v1/webhooks", { ...scoped(org), body: json }));

export const showWebhook = (http: Http, org: OrgRef, webhookId: string) =>
  body(
    http.api.GET("/v1/webhooks/{webhookId}", { params: { path: { webhookId }, query: { org } } }),
  );

export const updateWebhook = (
  http: Http,
  org: OrgRef,
  webhookId: string,
  json: T.UpdateWebhookBody,
) =>
  body(
    http.api.PATCH("/v1/webhooks/{webhookId}", {
      params: { path: { webhookId }, query: { org } },
      body: json,
    }),
  );

export const deleteWebhook = (http: Http, org: OrgRef, webhookId: string) =>
  done(
    http.api.DELETE("/v1/webhooks/{webhookId}", {
      params: { path: { webhookId }, query: { org } },
    }),
  );

export const rotateWebhookSecret = (
  http: Http,
  org: OrgRef,
  webhookId: string,
  json: T.RotateWebhookSecretBody,
) =>
  body(
    http.api.POST("/v1/webhooks/{webhookId}/rotate-secret", {
      params: { path: { webhookId }, query: { org } },
      body: json,
    }),
  );

export const listWebhookDeliveries = (
  http: Http,
  org: OrgRef,
  webhookId: string,
  query: T.Query<"listWebhookDeliveries"> = {},
) =>
  body(
    http.api.GET("/v1/webhooks/{webhookId}/deliveries", {
      params: { path: { webhookId }, query: { org, ...query } },
    }),
  );

export const showWebhookDelivery = (http: Http, org: OrgRef, deliveryId: string) =>
  body(
    http.api.GET("/v1/webhook-deliveries/{deliveryId}", {
      params: { path: { deliveryId }, query: { org } },
    }),
  );

export const replayWebhookDelivery = (http: Http, org: OrgRef, deliveryId: string) =>
  body(
    http.api.POST("/v1/webhook-deliveries/{deliveryId}/replay", {
      params: { path: { deliveryId }, query: { org } },
    }),
  );

export const testWebhook = (http: Http, org: OrgRef, webhookId: string) =>
  body(
    http.api.POST("/v1/webhooks/{webhookId}/test", {
      params: { path: { webhookId }, query: { org } },
    }),
  );
