import type { CrmExport } from "../../../core/import/read-export.ts";
import * as api from "../../api/operations.ts";
import { allPages } from "../../api/paging.ts";
import type { Http } from "../../client.ts";
import { MAX_PAGE } from "../../parse.ts";
import type { DaemonState, PartnerState } from "./plan.ts";

/**
 * Reads what the daemon holds for the partners an export names, with the
 * operator's session: the catalogue, the tenants, and for each partner that
 * exists its users, customers and deals.
 */
export async function loadState(
  http: Http,
  crm: CrmExport,
  progress: (line: string) => void,
): Promise<DaemonState> {
  const [products, tenants] = await Promise.all([api.listProducts(http), api.listTenants(http)]);
  const existing = new Set(tenants.data.map((tenant) => tenant.slug));
  const partners = new Map<string, PartnerState>();
  for (const { slug } of crm.partners) {
    if (!existing.has(slug)) continue;
    progress(`reading ${slug}`);
    partners.set(slug, await loadPartner(http, slug));
  }
  return { products: products.data, tenants: tenants.data, partners };
}

async function loadPartner(http: Http, org: string): Promise<PartnerState> {
  const page = { limit: MAX_PAGE };
  const [users, customers, deals] = await Promise.all([
    api.listUsers(http, org),
    allPages((cursor) => api.listCustomers(http, org, { ...page, cursor })),
    allPages((cursor) => api.listDeals(http, org, { ...page, cursor })),
  ]);
  return { users: users.data, customers, deals };
}
