import { type Insertable, sql } from "kysely";
import type { OrgScope } from "../scope.ts";
import type {
  CredentialTable,
  CustomerTable,
  DealTable,
  DomainTable,
  EventTable,
  OrgBrandingTable,
  WebhookAttemptTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
  WebhookMessageTable,
} from "../store/schema.ts";
import type { Db, PreparedRead, Store, Tx } from "../store/store.ts";

/**
 * The only module that names a partner-owned table. Every query it hands out
 * already carries `org_id = <scope>` in its `where`, and every insert takes its
 * org from the scope, so a service cannot forget the filter or pick the org.
 * A test fails when any other source file names these tables.
 */
export const PARTNER_TABLES = [
  "customers",
  "deals",
  "deal_daily_totals",
  "credentials",
  "domains",
  "org_branding",
  "events",
  "webhook_endpoints",
  "webhook_messages",
  "webhook_deliveries",
  "webhook_attempts",
] as const;

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

    credentials: () => db.selectFrom("credentials").where("credentials.org_id", "=", orgId),
    insertCredential: (values: Omit<Insertable<CredentialTable>, "org_id">) =>
      db.insertInto("credentials").values({ ...values, org_id: orgId }),
    updateCredentials: () => db.updateTable("credentials").where("credentials.org_id", "=", orgId),
    deleteCredentials: () => db.deleteFrom("credentials").where("credentials.org_id", "=", orgId),

    domains: () => db.selectFrom("domains").where("domains.org_id", "=", orgId),
    insertDomain: (values: Omit<Insertable<DomainTable>, "org_id">) =>
      db.insertInto("domains").values({ ...values, org_id: orgId }),
    updateDomains: () => db.updateTable("domains").where("domains.org_id", "=", orgId),
    deleteDomains: () => db.deleteFrom("domains").where("domains.org_id", "=", orgId),

    branding: () => db.selectFrom("org_branding").where("org_branding.org_id", "=", orgId),
    putBranding: (values: Omit<OrgBrandingTable, "org_id">) =>
      db
        .insertInto("org_branding")
        .values({ ...values, org_id: orgId })
        .onConflict((oc) => oc.column("org_id").doUpdateSet(values)),

    events: () => db.selectFrom("events").where("events.org_id", "=", orgId),
    /** Inserts unless the org already holds the external id; the caller reads back which. */
    insertEvents: (values: readonly Omit<EventTable, "org_id">[]) =>
      db
        .insertInto("events")
        .values(values.map((v) => ({ ...v, org_id: orgId })))
        .onConflict((oc) => oc.columns(["org_id", "external_id"]).doNothing()),

    webhookEndpoints: () =>
      db.selectFrom("webhook_endpoints").where("webhook_endpoints.org_id", "=", orgId),
    insertWebhookEndpoint: (values: Omit<WebhookEndpointTable, "org_id">) =>
      db.insertInto("webhook_endpoints").values({ ...values, org_id: orgId }),
    updateWebhookEndpoints: () =>
      db.updateTable("webhook_endpoints").where("webhook_endpoints.org_id", "=", orgId),
    deleteWebhookEndpoints: () =>
      db.deleteFrom("webhook_endpoints").where("webhook_endpoints.org_id", "=", orgId),

    webhookMessages: () =>
      db.selectFrom("webhook_messages").where("webhook_messages.org_id", "=", orgId),
    insertWebhookMessages: (values: readonly Omit<WebhookMessageTable, "org_id">[]) =>
      db.insertInto("webhook_messages").values(values.map((v) => ({ ...v, org_id: orgId }))),

    webhookDeliveries: () =>
      db.selectFrom("webhook_deliveries").where("webhook_deliveries.org_id", "=", orgId),
    insertWebhookDeliveries: (values: readonly Omit<WebhookDeliveryTable, "org_id">[]) =>
      db.insertInto("webhook_deliveries").values(values.map((v) => ({ ...v, org_id: orgId }))),
    updateWebhookDeliveries: () =>
      db.updateTable("webhook_deliveries").where("webhook_deliveries.org_id", "=", orgId),

    webhookAttempts: () =>
      db.selectFrom("webhook_attempts").where("webhook_attempts.org_id", "=", orgId),
    insertWebhookAttempt: (values: Omit<WebhookAttemptTable, "org_id">) =>
      db.insertInto("webhook_attempts").values({ ...values, org_id: orgId }),
  };
}

export type PartnerData = ReturnType<typeof partnerData>;

/**
 * The one path across partners: deals of exactly the listed orgs, or of every
 * partner (only partner orgs hold deals: the partner scope refuses any other).
 * Callers must have authorized and audited the read (services/cross-partner.ts).
 */
export function crossPartnerDeals(db: Executor, orgIds: "all" | readonly string[]) {
  const deals = db.selectFrom("deals");
  return orgIds === "all" ? deals : deals.where("deals.org_id", "in", orgIds);
}

/** Tables whose rows hold sealed secrets: `secrets` (JSON of ciphertexts), `key_version`. */
export const SEALED_TABLES = ["credentials", "webhook_endpoints"] as const;
export type SealedTable = (typeof SEALED_TABLES)[number];

/**
 * Every org's sealed rows of one table, for the master key's own upkeep only:
 * counting ciphertexts per key version, re-sealing them under a new primary,
 * and proving a version unused before it is retired. Callers must be the
 * operator's owner (services/master-keys.ts, services/key-rotation.ts); only
 * the columns a binding needs are exposed (`kind` is `webhook` for endpoints).
 */
export function sealedRows(table: SealedTable) {
  const kind = table === "credentials" ? sql<string>`kind` : sql<string>`'webhook'`;
  return {
    countsByVersion: (db: Executor) =>
      db
        .selectFrom(table)
        .select([
          "key_version",
          sql<number>`count(*)`.as("rows"),
          sql<number>`sum(sealed_fields)`.as("ciphertexts"),
        ])
        .groupBy("key_version"),

    /** Rows after `afterId` by id; with `notUnder`, only those sealed under another version. */
    page: (db: Executor, options: { afterId: string; limit: number; notUnder?: number }) => {
      const query = db
        .selectFrom(table)
        .select(["id", "org_id", kind.as("kind"), "secrets", "key_version"])
        .where("id", ">", options.afterId)
        .orderBy("id")
        .limit(options.limit);
      return options.notUnder === undefined
        ? query
        : query.where("key_version", "!=", options.notUnder);
    },

    /** Writes re-sealed secrets of many rows in one statement, all under `version`. */
    reseal: (tx: Tx, version: number, rows: readonly { id: string; secrets: string }[]) =>
      tx
        .updateTable(table)
        .set({
          secrets: sql<string>`case id ${sql.join(
            rows.map((row) => sql`when ${row.id} then ${row.secrets}`),
            sql` `,
          )} end`,
          key_version: version,
        })
        .where(
          "id",
          "in",
          rows.map((row) => row.id),
        ),
  };
}

/**
 * Verified domains across tenants. A request's Host or Origin names no org, so
 * finding the org it belongs to is a lookup across partners by nature; only
 * rows that are verified now are ever answered.
 */
export const verifiedDomains = {
  /** Another org's verified row for `hostname`, the one that makes a claim a conflict. */
  heldElsewhere: (db: Executor, hostname: string, orgId: string) =>
    db
      .selectFrom("domains")
      .select("id")
      .where("hostname", "=", hostname)
      .where("status", "=", "verified")
      .where("org_id", "!=", orgId),

  /** Verified rows not checked since `before`, oldest check first, for the re-check. */
  dueForCheck: (db: Executor, before: string, limit: number) =>
    db
      .selectFrom("domains")
      .select(["id", "org_id", "hostname", "challenge"])
      .where("status", "=", "verified")
      .where((eb) => eb.or([eb("last_checked_at", "is", null), eb("last_checked_at", "<", before)]))
      .orderBy("last_checked_at")
      .limit(limit),

  /** Records a re-check of one verified row; `error` set makes it unverified. */
  recordCheck: (tx: Tx, id: string, now: string, error: string | null) =>
    tx
      .updateTable("domains")
      .set({
        last_checked_at: now,
        last_check_error: error,
        updated_at: now,
        ...(error === null ? {} : { status: "unverified" as const, verified_at: null }),
      })
      .where("id", "=", id)
      .where("status", "=", "verified"),
};

/**
 * The webhook delivery queue across tenants, for the daemon's delivery worker
 * only (core/webhooks/worker.ts). Due work is found by time, not by org, so
 * the claim is a lookup across partners by nature; it answers only the row
 * keys the worker needs, and every read and write of an attempt then goes
 * through `partnerData` scoped to the delivery's own org.
 */
/**
 * Enabled endpoints of operator orgs: program-wide subscriptions, which get
 * every partner's announcements (registered with a reason and audited, see
 * services/webhooks.ts). Only the outbox reads them, inside the transaction
 * of the partner's change; it writes the messages in the operator's org.
 */
export const programSubscriptions = {
  enabled: (db: Executor) =>
    db
      .selectFrom("webhook_endpoints")
      .innerJoin("orgs", "orgs.id", "webhook_endpoints.org_id")
      .select(["webhook_endpoints.id", "webhook_endpoints.org_id", "webhook_endpoints.event_types"])
      .where("orgs.account_type", "=", "operator")
      .where("webhook_endpoints.status", "=", "enabled"),
};

export const deliveryQueue = {
  /**
   * Marks up to `limit` due deliveries `sending` until `leaseUntil` and answers
   * them: first those whose lease ran out (a worker died mid-attempt), then
   * pending ones whose time has come, oldest first, those of orgs in `avoid`
   * only after everyone else's; a suspended org's wait until it is resumed. Two
   * workers never claim the same row, since the row changes state in the
   * statement that picks it (no transaction needed).
   */
  claim: async (
    db: Executor,
    now: string,
    leaseUntil: string,
    limit: number,
    prefer: { avoid?: readonly string[] } = {},
  ) => {
    const take = (status: "pending" | "sending", count: number, avoid: readonly string[] = []) =>
      db
        .updateTable("webhook_deliveries")
        .set({ status: "sending", lease_until: leaseUntil, updated_at: now })
        .where("id", "in", (eb) => {
          const due = eb
            .selectFrom("webhook_deliveries")
            .select("id")
            .where("status", "=", status)
            // A suspended org's deliveries wait, due, until it is resumed.
            .where(
              "org_id",
              "not in",
              eb.selectFrom("orgs").select("id").where("status", "=", "suspended"),
            );
          if (status === "sending") {
            return due.where("lease_until", "<", now).orderBy("lease_until").limit(count);
          }
          const ready = due.where("next_attempt_at", "<=", now);
          return (avoid.length > 0 ? ready.where("org_id", "not in", avoid) : ready)
            .orderBy("next_attempt_at")
            .limit(count);
        })
        .returning(["id", "org_id", "message_id", "endpoint_id", "attempts", "schedule_start"])
        .execute();
    const claimed = await take("sending", limit);
    // Orgs the worker is already serving go last, so one org's backlog
    // cannot hold up the others; their deliveries still fill idle slots.
    if (claimed.length < limit && prefer.avoid?.length) {
      claimed.push(...(await take("pending", limit - claimed.length, prefer.avoid)));
    }
    if (claimed.length < limit) claimed.push(...(await take("pending", limit - claimed.length)));
    return claimed;
  },
};

type HostReads = {
  domain: PreparedRead<"hostname", Pick<DomainTable, "id" | "org_id" | "hostname">>;
  branding: PreparedRead<"orgId", OrgBrandingTable>;
};
const hostReads = new WeakMap<Store, HostReads>();

/**
 * The request path's view of custom domains, compiled once per store: the
 * org a verified hostname belongs to, and that org's public branding.
 */
export function portalReads(store: Store) {
  let reads = hostReads.get(store);
  if (!reads) {
    reads = {
      domain: store.prepareRead<"hostname", Pick<DomainTable, "id" | "org_id" | "hostname">>(
        (param) =>
          store.db
            .selectFrom("domains")
            .select(["id", "org_id", "hostname"])
            .where("hostname", "=", param("hostname"))
            // A literal, as prepared statements here take named parameters only.
            .where("status", "=", sql.lit("verified")),
      ),
      branding: store.prepareRead<"orgId", OrgBrandingTable>((param) =>
        store.db.selectFrom("org_branding").selectAll().where("org_id", "=", param("orgId")),
      ),
    };
    hostReads.set(store, reads);
  }
  const { domain, branding } = reads;
  return {
    verifiedDomain: (hostname: string) => domain({ hostname }),
    branding: (orgId: string) => branding({ orgId }),
  };
}

/** The columns of a deal that its daily total depends on. */
export type DealTotalsKey = Pick<DealTable, "close_date" | "stage" | "product_id" | "currency"> & {
  amount: number | null;
};

/**
 * Adds a deal to (+1) or takes it out of (-1) the all-partner daily totals.
 * Every deal write calls it in the same transaction, so the totals always
 * equal an aggregate over the deals table.
 */
export function adjustDailyTotals(tx: Tx, deal: DealTotalsKey, sign: 1 | -1) {
  const deals = sign;
  const total = sign * (deal.amount ?? 0);
  return tx
    .insertInto("deal_daily_totals")
    .values({
      close_date: deal.close_date ?? "",
      stage: deal.stage,
      product_id: deal.product_id,
      currency: deal.currency,
      deals,
      total,
    })
    .onConflict((oc) =>
      oc.columns(["close_date", "stage", "product_id", "currency"]).doUpdateSet((eb) => ({
        deals: eb("deal_daily_totals.deals", "+", deals),
        total: eb("deal_daily_totals.total", "+", total),
      })),
    )
    .execute();
}

/** Recomputes the daily totals from the deals, for stores filled by other means. */
export async function rebuildDailyTotals(tx: Tx): Promise<void> {
  await tx.deleteFrom("deal_daily_totals").execute();
  await tx
    .insertInto("deal_daily_totals")
    .columns(["close_date", "stage", "product_id", "currency", "deals", "total"])
    .expression((eb) =>
      eb
        .selectFrom("deals")
        .select([
          sql<string>`coalesce(close_date, '')`.as("close_date"),
          "stage",
          "product_id",
          "currency",
          sql<number>`count(*)`.as("deals"),
          sql<number>`coalesce(sum(amount), 0)`.as("total"),
        ])
        .groupBy([sql`coalesce(close_date, '')`, "stage", "product_id", "currency"]),
    )
    .execute();
}

/** The all-partner daily totals, for operators' audited cross-partner queries only. */
export function allPartnerDailyTotals(db: Executor) {
  return db.selectFrom("deal_daily_totals").where("deals", ">", 0);
}

type ByIdReads = {
  customer: PreparedRead<"orgId" | "id", CustomerTable>;
  deal: PreparedRead<"orgId" | "id", DealTable>;
  credential: PreparedRead<"orgId" | "id", CredentialTable>;
};
const byIdReads = new WeakMap<Store, ByIdReads>();

/**
 * Point reads by id for the request path, compiled once per store; the org is
 * a parameter of the statement itself, so a foreign id finds nothing.
 */
export function findById(store: Store, scope: OrgScope) {
  let reads = byIdReads.get(store);
  if (!reads) {
    reads = {
      customer: store.prepareRead<"orgId" | "id", CustomerTable>((param) =>
        store.db
          .selectFrom("customers")
          .selectAll()
          .where("org_id", "=", param("orgId"))
          .where("id", "=", param("id")),
      ),
      deal: store.prepareRead<"orgId" | "id", DealTable>((param) =>
        store.db
          .selectFrom("deals")
          .selectAll()
          .where("org_id", "=", param("orgId"))
          .where("id", "=", param("id")),
      ),
      credential: store.prepareRead<"orgId" | "id", CredentialTable>((param) =>
        store.db
          .selectFrom("credentials")
          .selectAll()
          .where("org_id", "=", param("orgId"))
          .where("id", "=", param("id")),
      ),
    };
    byIdReads.set(store, reads);
  }
  const { customer, deal, credential } = reads;
  return {
    customer: (id: string) => customer({ orgId: scope.orgId, id }),
    deal: (id: string) => deal({ orgId: scope.orgId, id }),
    credential: (id: string) => credential({ orgId: scope.orgId, id }),
  };
}
