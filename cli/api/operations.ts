import type { Endpoint, Http } from "../client.ts";
import type * as T from "./types.ts";

/**
 * Every daemon path the CLI calls, in one table, with one small typed function
 * per operation below. A generated client can replace this module whole.
 */
export const ENDPOINTS = {
  health: { method: "GET", path: "/healthz" },
  ready: { method: "GET", path: "/readyz" },
  openapi: { method: "GET", path: "/openapi.json" },
  login: { method: "POST", path: "/v1/auth/login" },
  logout: { method: "POST", path: "/v1/auth/logout" },
  acceptInvitation: { method: "POST", path: "/v1/invitations/accept" },
  me: { method: "GET", path: "/v1/me" },
  listTenants: { method: "GET", path: "/v1/tenants" },
  createTenant: { method: "POST", path: "/v1/tenants" },
  showTenant: { method: "GET", path: "/v1/tenants/{tenant}" },
  suspendTenant: { method: "POST", path: "/v1/tenants/{tenant}/suspend" },
  resumeTenant: { method: "POST", path: "/v1/tenants/{tenant}/resume" },
  listUsers: { method: "GET", path: "/v1/users" },
  inviteUser: { method: "POST", path: "/v1/users" },
  updateUser: { method: "PATCH", path: "/v1/users/{userId}" },
  removeUser: { method: "DELETE", path: "/v1/users/{userId}" },
  listKeys: { method: "GET", path: "/v1/keys" },
  createKey: { method: "POST", path: "/v1/keys" },
  revokeKey: { method: "POST", path: "/v1/keys/{keyId}/revoke" },
  rotateKey: { method: "POST", path: "/v1/keys/{keyId}/rotate" },
  listAudit: { method: "GET", path: "/v1/audit" },
  verifyAudit: { method: "GET", path: "/v1/audit/verify" },
  listProducts: { method: "GET", path: "/v1/products" },
  createProduct: { method: "POST", path: "/v1/products" },
  showProduct: { method: "GET", path: "/v1/products/{productId}" },
  updateProduct: { method: "PATCH", path: "/v1/products/{productId}" },
  listCustomers: { method: "GET", path: "/v1/customers" },
  createCustomer: { method: "POST", path: "/v1/customers" },
  upsertCustomers: { method: "POST", path: "/v1/customers/batch" },
  showCustomer: { method: "GET", path: "/v1/customers/{customerId}" },
  updateCustomer: { method: "PATCH", path: "/v1/customers/{customerId}" },
  deleteCustomer: { method: "DELETE", path: "/v1/customers/{customerId}" },
  listDeals: { method: "GET", path: "/v1/deals" },
  createDeal: { method: "POST", path: "/v1/deals" },
  upsertDeals: { method: "POST", path: "/v1/deals/batch" },
  showDeal: { method: "GET", path: "/v1/deals/{dealId}" },
  updateDeal: { method: "PATCH", path: "/v1/deals/{dealId}" },
  deleteDeal: { method: "DELETE", path: "/v1/deals/{dealId}" },
  queryCrossPartnerDeals: { method: "POST", path: "/v1/cross-partner/deals/query" },
  masterKeyStatus: { method: "GET", path: "/v1/master-key" },
  rotateMasterKey: { method: "POST", path: "/v1/master-key/rotate" },
  retireMasterKey: { method: "POST", path: "/v1/master-key/versions/{version}/retire" },
  listCredentials: { method: "GET", path: "/v1/credentials" },
  setCredential: { method: "POST", path: "/v1/credentials" },
  showCredential: { method: "GET", path: "/v1/credentials/{credentialId}" },
  deleteCredential: { method: "DELETE", path: "/v1/credentials/{credentialId}" },
  testCredential: { method: "POST", path: "/v1/credentials/{credentialId}/test" },
  listDomains: { method: "GET", path: "/v1/domains" },
  addDomain: { method: "POST", path: "/v1/domains" },
  showDomain: { method: "GET", path: "/v1/domains/{domainId}" },
  verifyDomain: { method: "POST", path: "/v1/domains/{domainId}/verify" },
  removeDomain: { method: "DELETE", path: "/v1/domains/{domainId}" },
  getBranding: { method: "GET", path: "/v1/branding" },
  putBranding: { method: "PUT", path: "/v1/branding" },
} as const satisfies Record<string, Endpoint>;

/** The org scope of a call: a slug or id, or undefined for the caller's own org. */
export type OrgRef = string | undefined;

export const health = (http: Http) => http.call<T.Status>(ENDPOINTS.health);

export const ready = (http: Http) => http.call<T.Status>(ENDPOINTS.ready);

export const openapi = (http: Http) => http.call<unknown>(ENDPOINTS.openapi);

export const login = (http: Http, body: { email: string; password: string; org?: string }) =>
  http.call<T.LoginResult>(ENDPOINTS.login, { body });

export const logout = (http: Http) => http.call<undefined>(ENDPOINTS.logout);

export const acceptInvitation = (http: Http, body: { token: string; password: string }) =>
  http.call<T.AcceptResult>(ENDPOINTS.acceptInvitation, { body });

export const me = (http: Http) => http.call<T.Me>(ENDPOINTS.me);

export const listTenants = (http: Http, status?: string) =>
  http.call<T.Listing<T.Tenant>>(ENDPOINTS.listTenants, { query: { status } });

export const createTenant = (http: Http, body: { slug: string; name: string }) =>
  http.call<T.Tenant>(ENDPOINTS.createTenant, { body });

export const showTenant = (http: Http, tenant: string) =>
  http.call<T.Tenant>(ENDPOINTS.showTenant, { params: { tenant } });

export const suspendTenant = (http: Http, tenant: string) =>
  http.call<T.Tenant>(ENDPOINTS.suspendTenant, { params: { tenant } });

export const resumeTenant = (http: Http, tenant: string) =>
  http.call<T.Tenant>(ENDPOINTS.resumeTenant, { params: { tenant } });

export const listUsers = (http: Http, org: OrgRef) =>
  http.call<T.Listing<T.User>>(ENDPOINTS.listUsers, { query: { org } });

export const inviteUser = (
  http: Http,
  org: OrgRef,
  body: { email: string; name: string; role: string },
) => http.call<T.Invited>(ENDPOINTS.inviteUser, { query: { org }, body });

export const updateUserRole = (http: Http, org: OrgRef, userId: string, role: string) =>
  http.call<T.User>(ENDPOINTS.updateUser, { params: { userId }, query: { org }, body: { role } });

export const removeUser = (http: Http, org: OrgRef, userId: string) =>
  http.call<undefined>(ENDPOINTS.removeUser, { params: { userId }, query: { org } });

export const listKeys = (http: Http, org: OrgRef) =>
  http.call<T.Listing<T.Key>>(ENDPOINTS.listKeys, { query: { org } });

export interface CreateKeyBody {
  name: string;
  role?: string;
  scopes?: string[];
  expiresIn?: string;
}

export const createKey = (http: Http, org: OrgRef, body: CreateKeyBody) =>
  http.call<T.CreatedKey>(ENDPOINTS.createKey, { query: { org }, body });

export const revokeKey = (http: Http, org: OrgRef, keyId: string) =>
  http.call<T.Key>(ENDPOINTS.revokeKey, { params: { keyId }, query: { org } });

export interface RotateKeyBody {
  gracePeriod?: string;
  scopes?: string[];
}

export const rotateKey = (http: Http, org: OrgRef, keyId: string, body: RotateKeyBody) =>
  http.call<T.RotatedKey>(ENDPOINTS.rotateKey, { params: { keyId }, query: { org }, body });

export interface AuditQuery {
  org?: string;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export const listAudit = (http: Http, query: AuditQuery) =>
  http.call<T.AuditPage>(ENDPOINTS.listAudit, { query: { ...query } });

export const verifyAudit = (http: Http) => http.call<T.AuditVerdict>(ENDPOINTS.verifyAudit);

export const listProducts = (http: Http) => http.call<T.Listing<T.Product>>(ENDPOINTS.listProducts);

export const createProduct = (http: Http, body: T.ProductInput) =>
  http.call<T.Product>(ENDPOINTS.createProduct, { body });

export const showProduct = (http: Http, productId: string) =>
  http.call<T.Product>(ENDPOINTS.showProduct, { params: { productId } });

export const updateProduct = (http: Http, productId: string, body: T.ProductPatch) =>
  http.call<T.Product>(ENDPOINTS.updateProduct, { params: { productId }, body });

export interface CustomerQuery {
  sector?: string;
  country?: string;
  externalRef?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export const listCustomers = (http: Http, org: OrgRef, query: CustomerQuery = {}) =>
  http.call<T.Page<T.Customer>>(ENDPOINTS.listCustomers, { query: { org, ...query } });

export const createCustomer = (http: Http, org: OrgRef, body: T.CustomerInput) =>
  http.call<T.Customer>(ENDPOINTS.createCustomer, { query: { org }, body });

export const upsertCustomers = (
  http: Http,
  org: OrgRef,
  body: { items: T.CustomerInput[]; dryRun?: boolean },
) => http.call<T.UpsertResult>(ENDPOINTS.upsertCustomers, { query: { org }, body });

export const showCustomer = (http: Http, org: OrgRef, customerId: string) =>
  http.call<T.Customer>(ENDPOINTS.showCustomer, { params: { customerId }, query: { org } });

export const updateCustomer = (
  http: Http,
  org: OrgRef,
  customerId: string,
  body: Partial<T.CustomerInput>,
) =>
  http.call<T.Customer>(ENDPOINTS.updateCustomer, { params: { customerId }, query: { org }, body });

export const deleteCustomer = (http: Http, org: OrgRef, customerId: string) =>
  http.call<undefined>(ENDPOINTS.deleteCustomer, { params: { customerId }, query: { org } });

export interface DealQuery {
  stage?: string;
  productId?: string;
  customerId?: string;
  ownerUserId?: string;
  engagedFrom?: string;
  engagedTo?: string;
  closedFrom?: string;
  closedTo?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export const listDeals = (http: Http, org: OrgRef, query: DealQuery = {}) =>
  http.call<T.Page<T.Deal>>(ENDPOINTS.listDeals, { query: { org, ...query } });

export const createDeal = (http: Http, org: OrgRef, body: T.DealInput) =>
  http.call<T.Deal>(ENDPOINTS.createDeal, { query: { org }, body });

export const upsertDeals = (
  http: Http,
  org: OrgRef,
  body: { items: T.DealInput[]; dryRun?: boolean },
) => http.call<T.UpsertResult>(ENDPOINTS.upsertDeals, { query: { org }, body });

export const showDeal = (http: Http, org: OrgRef, dealId: string) =>
  http.call<T.Deal>(ENDPOINTS.showDeal, { params: { dealId }, query: { org } });

export const updateDeal = (http: Http, org: OrgRef, dealId: string, body: Partial<T.DealInput>) =>
  http.call<T.Deal>(ENDPOINTS.updateDeal, { params: { dealId }, query: { org }, body });

export const deleteDeal = (http: Http, org: OrgRef, dealId: string) =>
  http.call<undefined>(ENDPOINTS.deleteDeal, { params: { dealId }, query: { org } });

export const queryCrossPartnerDeals = (http: Http, body: T.CrossPartnerQuery) =>
  http.call<T.CrossPartnerResult>(ENDPOINTS.queryCrossPartnerDeals, { body });

export const masterKeyStatus = (http: Http) =>
  http.call<T.MasterKeyStatus>(ENDPOINTS.masterKeyStatus);

export const rotateMasterKey = (http: Http) =>
  http.call<T.MasterKeyRotation>(ENDPOINTS.rotateMasterKey);

export const retireMasterKey = (http: Http, version: number) =>
  http.call<{ version: number; removedFromSource: boolean }>(ENDPOINTS.retireMasterKey, {
    params: { version: String(version) },
  });

/** What `POST /v1/credentials` takes: settings in clear, secret values in the body only. */
export interface SetCredentialBody {
  name: string;
  kind: "smtp" | "api_key" | "oauth";
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

export const listCredentials = (http: Http, org: OrgRef) =>
  http.call<T.Listing<T.Credential>>(ENDPOINTS.listCredentials, { query: { org } });

export const setCredential = (http: Http, org: OrgRef, body: SetCredentialBody) =>
  http.call<T.Credential>(ENDPOINTS.setCredential, { query: { org }, body });

export const showCredential = (http: Http, org: OrgRef, credentialId: string) =>
  http.call<T.Credential>(ENDPOINTS.showCredential, { params: { credentialId }, query: { org } });

export const deleteCredential = (http: Http, org: OrgRef, credentialId: string) =>
  http.call<undefined>(ENDPOINTS.deleteCredential, { params: { credentialId }, query: { org } });

export const testCredential = (http: Http, org: OrgRef, credentialId: string) =>
  http.call<T.CredentialTest>(ENDPOINTS.testCredential, {
    params: { credentialId },
    query: { org },
  });

export const listDomains = (http: Http, org: OrgRef) =>
  http.call<{ data: T.Domain[] }>(ENDPOINTS.listDomains, { query: { org } });

export const addDomain = (http: Http, org: OrgRef, hostname: string) =>
  http.call<T.Domain>(ENDPOINTS.addDomain, { query: { org }, body: { hostname } });

export const showDomain = (http: Http, org: OrgRef, domainId: string) =>
  http.call<T.Domain>(ENDPOINTS.showDomain, { params: { domainId }, query: { org } });

export const verifyDomain = (http: Http, org: OrgRef, domainId: string) =>
  http.call<T.Domain>(ENDPOINTS.verifyDomain, { params: { domainId }, query: { org } });

export const removeDomain = (http: Http, org: OrgRef, domainId: string) =>
  http.call<undefined>(ENDPOINTS.removeDomain, { params: { domainId }, query: { org } });

/** What `PUT /v1/branding` takes: the whole branding, null for a field left unset. */
export interface BrandingBody {
  displayName: string;
  logoUrl: string | null;
  primaryColor: string | null;
  accentColor: string | null;
}

export const getBranding = (http: Http, org: OrgRef) =>
  http.call<T.Branding>(ENDPOINTS.getBranding, { query: { org } });

export const putBranding = (http: Http, org: OrgRef, body: BrandingBody) =>
  http.call<T.Branding>(ENDPOINTS.putBranding, { query: { org }, body });
