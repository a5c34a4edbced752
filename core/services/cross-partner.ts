import { sql } from "kysely";
import { appendAudit } from "../audit.ts";
import { AppError } from "../errors.ts";
import type { DealStage } from "../store/schema.ts";
import { allPartnerDailyTotals, crossPartnerDeals } from "../tenancy/partner-data.ts";
import { isShowable } from "../text.ts";
import type { ServiceContext } from "./context.ts";

export const GROUP_BYS = ["partner", "product", "stage", "month"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export interface CrossPartnerQuery {
  /** `"all"` or a list of partner slugs or ids. */
  partners: "all" | readonly string[];
  reason: string;
  stage?: DealStage;
  /** Product id. */
  productId?: string;
  /** Close dates from and to, inclusive, YYYY-MM-DD. */
  since?: string;
  until?: string;
  groupBy: GroupBy;
}

export interface CrossPartnerRow {
  /** Partner slug, product name, stage, or month YYYY-MM (`none` for open deals). */
  group: string;
  currency: string;
  deals: number;
  /** Sum of amounts in minor units of `currency`. */
  total: number;
}

/**
 * Aggregates deals across the named partners for an operator. The reason is
 * mandatory; the audit record (who, why, which partners, which filters, how
 * many rows) is committed before any row is returned, and a failed query is
 * audited too.
 */
export async function queryCrossPartnerDeals(
  ctx: ServiceContext,
  query: CrossPartnerQuery,
): Promise<{ rows: CrossPartnerRow[]; partners: number }> {
  if (ctx.actor.accountType !== "operator") {
    throw new AppError("FORBIDDEN", "cross-partner queries are for operators only");
  }
  const reason = query.reason.trim();
  if (reason.length < 3 || !isShowable(reason)) {
    throw new AppError(
      "VALIDATION_FAILED",
      "a reason of at least 3 printable characters is required",
    );
  }
  const filters = {
    stage: query.stage ?? null,
    productId: query.productId ?? null,
    since: query.since ?? null,
    until: query.until ?? null,
    groupBy: query.groupBy,
  };
  const audit = (
    action: "cross_partner.queried" | "cross_partner.failed",
    extra: Record<string, string | number | readonly string[]>,
  ) =>
    ctx.store.transaction((tx) =>
      appendAudit(tx, ctx, {
        action,
        orgId: null,
        targetType: "deals",
        targetId: null,
        details: {
          reason,
          partners: query.partners === "all" ? "all" : [...query.partners],
          ...filters,
          ...extra,
        },
      }),
    );

  let orgs: { id: string; slug: string }[];
  let rows: CrossPartnerRow[];
  try {
    orgs = resolvePartners(ctx, query.partners);
    rows = orgs.length === 0 ? [] : aggregate(ctx, orgs, query, query.partners === "all");
  } catch (error) {
    await audit("cross_partner.failed", {
      error: error instanceof AppError ? error.code : "INTERNAL",
    });
    throw error;
  }
  await audit("cross_partner.queried", {
    partnersTouched: orgs.map((o) => o.slug),
    rowsReturned: rows.length,
  });
  return { rows, partners: orgs.length };
}

function resolvePartners(
  ctx: ServiceContext,
  partners: "all" | readonly string[],
): { id: string; slug: string }[] {
  const all = ctx.store.readAll(
    ctx.store.db
      .selectFrom("orgs")
      .select(["id", "slug"])
      .where("account_type", "=", "partner")
      .orderBy("slug"),
  );
  if (partners === "all") return all;
  if (partners.length === 0) throw new AppError("VALIDATION_FAILED", "name at least one partner");
  const chosen = new Map<string, { id: string; slug: string }>();
  for (const [index, ref] of partners.entries()) {
    const org = all.find((o) => o.id === ref || o.slug === ref);
    if (!org) throw new AppError("NOT_FOUND", `partners.${index}: partner not found`);
    chosen.set(org.id, org);
  }
  return [...chosen.values()];
}

/** Partial groups straight from the deals, along a covering index. */
function dealsQuery(ctx: ServiceContext, orgIds: "all" | string[], query: CrossPartnerQuery) {
  const columns =
    query.groupBy === "partner"
      ? (["stage", "org_id", "currency"] as const)
      : (["close_date", "currency", "product_id", "stage"] as const);
  let q = crossPartnerDeals(ctx.store.db, orgIds)
    .select([
      ...columns,
      sql<number>`count(*)`.as("deals"),
      sql<number>`coalesce(sum(amount), 0)`.as("total"),
    ])
    .groupBy([...columns]);
  if (query.stage) q = q.where("stage", "=", query.stage);
  if (query.productId) q = q.where("product_id", "=", query.productId);
  if (query.since) q = q.where("close_date", ">=", query.since);
  if (query.until) q = q.where("close_date", "<=", query.until);
  return q;
}

/** Partial groups from the all-partner daily totals: a few thousand rows at most. */
function dailyTotalsQuery(ctx: ServiceContext, query: CrossPartnerQuery) {
  let q = allPartnerDailyTotals(ctx.store.db).select([
    sql<string | null>`nullif(close_date, '')`.as("close_date"),
    "currency",
    "product_id",
    "stage",
    "deals",
    "total",
  ]);
  if (query.stage) q = q.where("stage", "=", query.stage);
  if (query.productId) q = q.where("product_id", "=", query.productId);
  // Open deals are stored under "", which no date range includes.
  if (query.since) q = q.where("close_date", ">=", query.since);
  if (query.until) q = q.where("close_date", "<=", query.until).where("close_date", "!=", "");
  return q;
}

interface PartialGroup {
  org_id?: string;
  product_id?: string;
  stage?: string;
  close_date?: string | null;
  currency: string;
  deals: number;
  total: number;
}

/**
 * Groups along a covering index in its own column order (partner: stage,
 * org, currency; otherwise close date, currency, product, stage), so SQLite
 * neither sorts nor reads table rows, then folds the few thousand partial
 * groups into the requested ones here.
 */
function aggregate(
  ctx: ServiceContext,
  orgs: { id: string; slug: string }[],
  query: CrossPartnerQuery,
  everyPartner: boolean,
): CrossPartnerRow[] {
  const byPartner = query.groupBy === "partner";
  // Only the grouped columns are present on each row.
  const partial = (everyPartner && !byPartner
    ? ctx.store.readAll(dailyTotalsQuery(ctx, query))
    : ctx.store.readAll(
        dealsQuery(ctx, everyPartner ? "all" : orgs.map((o) => o.id), query),
      )) as unknown as PartialGroup[];

  const names = new Map<string, string>();
  if (byPartner) for (const o of orgs) names.set(o.id, o.slug);
  if (query.groupBy === "product") {
    for (const p of ctx.store.readAll(ctx.store.db.selectFrom("products").select(["id", "name"]))) {
      names.set(p.id, p.name);
    }
  }
  const groupOf = (row: PartialGroup): string => {
    switch (query.groupBy) {
      case "partner":
        return names.get(row.org_id ?? "") ?? String(row.org_id);
      case "product":
        return names.get(row.product_id ?? "") ?? String(row.product_id);
      case "stage":
        return String(row.stage);
      case "month":
        return row.close_date ? row.close_date.slice(0, 7) : "none";
    }
  };

  const folded = new Map<string, CrossPartnerRow>();
  for (const row of partial) {
    const group = groupOf(row);
    const key = `${group}\u0000${row.currency}`;
    const into = folded.get(key);
    if (into) {
      into.deals += Number(row.deals);
      into.total += Number(row.total);
    } else {
      folded.set(key, {
        group,
        currency: row.currency,
        deals: Number(row.deals),
        total: Number(row.total),
      });
    }
  }
  return [...folded.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.currency.localeCompare(b.currency),
  );
}
