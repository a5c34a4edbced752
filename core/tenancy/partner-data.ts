import type { Insertable } from "kysely";
import type { OrgScope } from "../scope.ts";
import type { CustomerTable, DealTable } from "../store/schema.ts";
import type { Db, Tx } from "../store/store.ts";

/**
 * The only module that names a partner-owned table. Every query it hands out
 * already carries `org_id = <scope>` in its `where`, and every insert takes its
 * org from the scope, so a service cannot forget the filter or pick the org.
 * A test fails when any other source file names these tables.
 */
export const PARTNER_TABLES = ["customers", "deals"] as const;

type Executor = Db | Tx;

export function partnerData(db: Executor, scope: OrgScope) {
  const orgId = scope.orgId;
  return {
    customers: () => db.selectFrom("customers").where("customers.org_id", "=", orgId),
    deals: () => db.selectFrom("deals").where("deals.org_id", "=", orgId),

    insertCustomer: (values: Omit<Insertable<CustomerTable>, "org_id">) =>
      db.insertInto("customers").values({ ...values, org_id: orgId }),
    updateCustomers: () => db.updateTable("customers").where("customers.org_id", "=", orgId),
    deleteCustomers: () => db.deleteFrom("customers").where("customers.org_id", "=", orgId),

    insertDeal: (values: Omit<Insertable<DealTable>, "org_id">) =>
      db.insertInto("deals").values({ ...values, org_id: orgId }),
    updateDeals: () => db.updateTable("deals").where("deals.org_id", "=", orgId),
    deleteDeals: () => db.deleteFrom("deals").where("deals.org_id", "=", orgId),
  };
}

export type PartnerData = ReturnType<typeof partnerData>;

/**
 * The one path across partners: deals of exactly the listed orgs. Callers must
 * have authorized and audited the read (see services/cross-partner.ts).
 */
export function crossPartnerDeals(db: Executor, orgIds: readonly string[]) {
  return db.selectFrom("deals").where("deals.org_id", "in", orgIds);
}
