import type { Tenant } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

export function tenantView(tenant: Tenant): View {
  return [
    fields([
      ["id", tenant.id],
      ["slug", tenant.slug],
      ["name", tenant.name],
      ["type", tenant.accountType],
      ["status", tenant.status],
      ["created", tenant.createdAt],
      ["updated", tenant.updatedAt],
    ]),
  ];
}

export function tenantsView(tenants: readonly Tenant[]): View {
  const rows = tenants.map((t) => [t.id, t.slug, t.name, t.accountType, t.status, t.createdAt]);
  return [table(["id", "slug", "name", "type", "status", "created"], rows)];
}
