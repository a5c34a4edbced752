import { type RawBuilder, sql } from "kysely";
import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { decodeCursor, encodeCursor, parseSort } from "../paging.ts";
import type { OrgScope } from "../scope.ts";
import type { DealStage, DealTable } from "../store/schema.ts";
import type { Tx } from "../store/store.ts";
import { adjustDailyTotals, findById, partnerData } from "../tenancy/partner-data.ts";
import type { ServiceContext } from "./context.ts";
import type { UpsertOutcome } from "./customers.ts";
import { assertDealFields, type DealInput } from "./deal-rules.ts";

export type { DealInput } from "./deal-rules.ts";

export interface Deal {
  id: string;
  orgId: string;
  externalRef: string;
  productId: string;
  customerId: string | null;
  stage: DealStage;
  amount: number | null;
  currency: string;
  engageDate: string | null;
  closeDate: string | null;
  ownerUserId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DealFilter {
  stage?: DealStage;
  productId?: string;
  customerId?: string;
  ownerUserId?: string;
  engagedFrom?: string;
  engagedTo?: string;
  closedFrom?: string;
  closedTo?: string;
  sort: string;
  limit: number;
  cursor?: string;
}

export const DEAL_SORTS = [
  "createdAt",
  "externalRef",
  "engageDate",
  "closeDate",
  "amount",
] as const;
type DealSort = (typeof DEAL_SORTS)[number];

/** Sort keys never null, so keyset pagination can compare them. */
const SORT_KEYS: Record<
  DealSort,
  { expr: RawBuilder<unknown>; of: (row: DealTable) => string | number }
> = {
  createdAt: { expr: sql`created_at`, of: (r) => r.created_at },
  externalRef: { expr: sql`external_ref`, of: (r) => r.external_ref },
  engageDate: { expr: sql`coalesce(engage_date, '')`, of: (r) => r.engage_date ?? "" },
  closeDate: { expr: sql`coalesce(close_date, '')`, of: (r) => r.close_date ?? "" },
  amount: { expr: sql`coalesce(amount, -1)`, of: (r) => r.amount ?? -1 },
};

export function toDeal(row: DealTable): Deal {
  return {
    id: row.id,
    orgId: row.org_id,
    externalRef: row.external_ref,
    productId: row.product_id,
    customerId: row.customer_id,
    stage: row.stage,
    amount: row.amount,
    currency: row.currency,
    engageDate: row.engage_date,
    closeDate: row.close_date,
    ownerUserId: row.owner_user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function listDeals(
  ctx: ServiceContext,
  scope: OrgScope,
  filter: DealFilter,
): { data: Deal[]; nextCursor: string | null } {
  const { field, direction } = parseSort(filter.sort, DEAL_SORTS);
  const key = SORT_KEYS[field];
  let query = partnerData(ctx.store.db, scope).deals().selectAll();
  if (filter.stage) query = query.where("stage", "=", filter.stage);
  if (filter.productId) query = query.where("product_id", "=", filter.productId);
  if (filter.customerId) query = query.where("customer_id", "=", filter.customerId);
  if (filter.ownerUserId) query = query.where("owner_user_id", "=", filter.ownerUserId);
  if (filter.engagedFrom) query = query.where("engage_date", ">=", filter.engagedFrom);
  if (filter.engagedTo) query = query.where("engage_date", "<=", filter.engagedTo);
  if (filter.closedFrom) query = query.where("close_date", ">=", filter.closedFrom);
  if (filter.closedTo) query = query.where("close_date", "<=", filter.closedTo);
  if (filter.cursor !== undefined) {
    const after = decodeCursor(filter.cursor);
    const op = sql.raw(direction === "asc" ? ">" : "<");
    query = query.where(sql<boolean>`(${key.expr}, id) ${op} (${after.value}, ${after.id})`);
  }
  const dir = sql.raw(direction);
  const rows = ctx.store.readAll(
    query
      .orderBy(sql`${key.expr} ${dir}`)
      .orderBy(sql`id ${dir}`)
      .limit(filter.limit + 1),
  );
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    data: page.map(toDeal),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({ value: key.of(last), id: last.id })
        : null,
  };
}

/** A deal of the scoped org; any other org's deal is reported missing. */
export function getDealOrThrow(ctx: ServiceContext, scope: OrgScope, id: string): Deal {
  const row = findById(ctx.store, scope).deal(id);
  if (!row) throw notFound("deal");
  return toDeal(row);
}

/**
 * Checks every id a deal points at against the scope: the customer and the
 * owning user must be the scoped org's, the product must be in the catalogue.
 * A foreign id is reported exactly like a missing one. References the stored
 * deal already holds are not checked again: they were checked when written
 * and cannot change org, so a deal whose owner was removed stays editable.
 */
async function assertReferences(
  tx: Tx,
  scope: OrgScope,
  input: Pick<DealInput, "productId" | "customerId" | "ownerUserId">,
  verified: Set<string>,
  stored?: DealTable,
): Promise<void> {
  const productId = input.productId === stored?.product_id ? null : input.productId;
  const customerId = input.customerId === stored?.customer_id ? null : (input.customerId ?? null);
  const ownerId = input.ownerUserId === stored?.owner_user_id ? null : (input.ownerUserId ?? null);

  if (productId !== null && !verified.has(`product:${productId}`)) {
    const product = await tx
      .selectFrom("products")
      .select("id")
      .where("id", "=", productId)
      .executeTakeFirst();
    if (!product) throw notFound("product");
    verified.add(`product:${productId}`);
  }
  if (customerId !== null && !verified.has(`customer:${customerId}`)) {
    const customer = await partnerData(tx, scope)
      .customers()
      .select("id")
      .where("id", "=", customerId)
      .executeTakeFirst();
    if (!customer) throw notFound("customer");
    verified.add(`customer:${customerId}`);
  }
  if (ownerId !== null && !verified.has(`user:${ownerId}`)) {
    const user = await tx
      .selectFrom("users")
      .select("id")
      .where("id", "=", ownerId)
      .where("org_id", "=", scope.orgId)
      .where("status", "!=", "removed")
      .executeTakeFirst();
    if (!user) throw notFound("user");
    verified.add(`user:${ownerId}`);
  }
}

function columns(input: DealInput) {
  return {
    external_ref: input.externalRef,
    product_id: input.productId,
    customer_id: input.customerId ?? null,
    stage: input.stage,
    amount: input.amount ?? null,
    currency: input.currency,
    engage_date: input.engageDate ?? null,
    close_date: input.closeDate ?? null,
    owner_user_id: input.ownerUserId ?? null,
  };
}

async function insertDeal(tx: Tx, ctx: ServiceContext, scope: OrgScope, input: DealInput) {
  const now = nowIso();
  const row = { id: newId("deal"), ...columns(input), created_at: now, updated_at: now };
  await partnerData(tx, scope).insertDeal(row).execute();
  await adjustDailyTotals(tx, row, 1);
  await appendAudit(tx, ctx, {
    action: "deal.created",
    orgId: scope.orgId,
    targetType: "deal",
    targetId: row.id,
  });
  return { ...row, org_id: scope.orgId };
}

async function writeDealUpdate(
  tx: Tx,
  ctx: ServiceContext,
  scope: OrgScope,
  stored: DealTable,
  input: DealInput,
): Promise<string> {
  const updatedAt = nowIso();
  const next = columns(input);
  await partnerData(tx, scope)
    .updateDeals()
    .set({ ...next, updated_at: updatedAt })
    .where("id", "=", stored.id)
    .execute();
  await adjustDailyTotals(tx, stored, -1);
  await adjustDailyTotals(tx, next, 1);
  const id = stored.id;
  await appendAudit(tx, ctx, {
    action: "deal.updated",
    orgId: scope.orgId,
    targetType: "deal",
    targetId: id,
  });
  return updatedAt;
}

export function createDeal(ctx: ServiceContext, scope: OrgScope, raw: DealInput): Promise<Deal> {
  const input = assertDealFields(raw);
  return ctx.store.transaction(async (tx) => {
    await assertReferences(tx, scope, input, new Set());
    const clash = await partnerData(tx, scope)
      .deals()
      .select("id")
      .where("external_ref", "=", input.externalRef)
      .executeTakeFirst();
    if (clash) throw new AppError("CONFLICT", "a deal with this external reference exists");
    return toDeal(await insertDeal(tx, ctx, scope, input));
  });
}

export function updateDeal(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
  patch: Partial<DealInput>,
): Promise<Deal> {
  return ctx.store.transaction(async (tx) => {
    const row = await partnerData(tx, scope)
      .deals()
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw notFound("deal");
    const current = toDeal(row);
    const input = assertDealFields({ ...current, ...patch });
    await assertReferences(tx, scope, input, new Set(), row);
    if (input.externalRef !== row.external_ref) {
      const clash = await partnerData(tx, scope)
        .deals()
        .select("id")
        .where("external_ref", "=", input.externalRef)
        .executeTakeFirst();
      if (clash) throw new AppError("CONFLICT", "a deal with this external reference exists");
    }
    const updatedAt = await writeDealUpdate(tx, ctx, scope, row, input);
    return { ...current, ...toDeal({ ...row, ...columns(input), updated_at: updatedAt }) };
  });
}

export function deleteDeal(ctx: ServiceContext, scope: OrgScope, id: string): Promise<void> {
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data.deals().selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("deal");
    await data.deleteDeals().where("id", "=", id).execute();
    await adjustDailyTotals(tx, row, -1);
    await appendAudit(tx, ctx, {
      action: "deal.deleted",
      orgId: scope.orgId,
      targetType: "deal",
      targetId: id,
    });
  });
}

function sameDeal(row: DealTable, input: DealInput): boolean {
  const wanted = columns(input);
  return (Object.keys(wanted) as (keyof typeof wanted)[]).every((k) => row[k] === wanted[k]);
}

/**
 * Creates or updates deals matched by external reference in one transaction:
 * every item lands or none does. With `dryRun` nothing is written.
 */
export function upsertDeals(
  ctx: ServiceContext,
  scope: OrgScope,
  items: readonly DealInput[],
  dryRun: boolean,
): Promise<{ results: { externalRef: string; id: string | null; outcome: UpsertOutcome }[] }> {
  const refs = new Set<string>();
  const checked = items.map((item, index) => {
    if (refs.has(item.externalRef)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `items.${index}: external reference repeated in batch`,
      );
    }
    refs.add(item.externalRef);
    try {
      return assertDealFields(item);
    } catch (error) {
      if (error instanceof AppError) {
        throw new AppError(error.code, `items.${index}: ${error.message}`);
      }
      throw error;
    }
  });
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const verified = new Set<string>();
    const results = [];
    for (const [index, item] of checked.entries()) {
      const row = await data
        .deals()
        .selectAll()
        .where("external_ref", "=", item.externalRef)
        .executeTakeFirst();
      try {
        await assertReferences(tx, scope, item, verified, row);
      } catch (error) {
        if (error instanceof AppError) {
          throw new AppError(error.code, `items.${index}: ${error.message}`);
        }
        throw error;
      }
      if (!row) {
        const id = dryRun ? null : (await insertDeal(tx, ctx, scope, item)).id;
        results.push({ externalRef: item.externalRef, id, outcome: "created" as const });
      } else if (sameDeal(row, item)) {
        results.push({ externalRef: item.externalRef, id: row.id, outcome: "unchanged" as const });
      } else {
        if (!dryRun) await writeDealUpdate(tx, ctx, scope, row, item);
        results.push({ externalRef: item.externalRef, id: row.id, outcome: "updated" as const });
      }
    }
    return { results };
  });
}
