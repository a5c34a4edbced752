import { sql } from "kysely";
import { appendAudit } from "../audit.ts";
import { AppError, notFound } from "../errors.ts";
import type { DealStage } from "../store/schema.ts";
import { crossPartnerDeals } from "../tenancy/partner-data.ts";
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

const GROUP_EXPR = {
  partner: sql<string>`org_id`,
  product: sql<string>`product_id`,
  stage: sql<string>`stage`,
  month: sql<string>`coalesce(substr(close_date, 1, 7), 'none')`,
};

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
  if (reason.length < 3) {
    throw new AppError("VALIDATION_FAILED", "a reason of at least 3 characters is required");
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
    rows = orgs.length === 0 ? [] : aggregate(ctx, orgs, query);
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
  for (const ref of partners) {
    const org = all.find((o) => o.id === ref || o.slug === ref);
    if (!org) throw notFound(`partner ${ref}`);
    chosen.set(org.id, org);
  }
  return [...chosen.values()];
}

function aggregate(
  ctx: ServiceContext,
  orgs: { id: string; slug: string }[],
  query: CrossPartnerQuery,
): CrossPartnerRow[] {
  const key = GROUP_EXPR[query.groupBy];
  let q = crossPartnerDeals(
    ctx.store.db,
    orgs.map((o) => o.id),
  )
    .select([
      key.as("group_key"),
      "currency",
      sql<number>`count(*)`.as("deals"),
      sql<number>`coalesce(sum(amount), 0)`.as("total"),
    ])
    .groupBy([key, "currency"])
    .orderBy(key)
    .orderBy("currency");
  if (query.stage) q = q.where("stage", "=", query.stage);
  if (query.productId) q = q.where("product_id", "=", query.productId);
  if (query.since) q = q.where("close_date", ">=", query.since);
  if (query.until) q = q.where("close_date", "<=", query.until);
  const raw = ctx.store.readAll(q);

  const names = new Map<string, string>();
  if (query.groupBy === "partner") for (const o of orgs) names.set(o.id, o.slug);
  if (query.groupBy === "product") {
    for (const p of ctx.store.readAll(ctx.store.db.selectFrom("products").select(["id", "name"]))) {
      names.set(p.id, p.name);
    }
  }
  return raw
    .map((r) => ({
      group: names.get(r.group_key) ?? r.group_key,
      currency: r.currency,
      deals: Number(r.deals),
      total: Number(r.total),
    }))
    .sort((a, b) => a.group.localeCompare(b.group) || a.currency.localeCompare(b.currency));
}
