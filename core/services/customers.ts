import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { type Cursor, decodeCursor, encodeCursor, parseSort } from "../paging.ts";
import type { OrgScope } from "../scope.ts";
import type { CustomerTable } from "../store/schema.ts";
import type { Tx } from "../store/store.ts";
import { findById, partnerData } from "../tenancy/partner-data.ts";
import type { ServiceContext } from "./context.ts";

export interface Customer {
  id: string;
  orgId: string;
  externalRef: string;
  name: string;
  sector: string | null;
  country: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerInput {
  externalRef: string;
  name: string;
  sector?: string | null;
  country?: string | null;
}

export const CUSTOMER_SORTS = ["name", "externalRef", "createdAt"] as const;
const SORT_COLUMNS = {
  name: "name",
  externalRef: "external_ref",
  createdAt: "created_at",
} as const;

export function toCustomer(row: CustomerTable): Customer {
  return {
    id: row.id,
    orgId: row.org_id,
    externalRef: row.external_ref,
    name: row.name,
    sector: row.sector,
    country: row.country,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function listCustomers(
  ctx: ServiceContext,
  scope: OrgScope,
  filter: {
    sector?: string;
    country?: string;
    externalRef?: string;
    sort: string;
    limit: number;
    cursor?: string;
  },
): { data: Customer[]; nextCursor: string | null } {
  const { field, direction } = parseSort(filter.sort, CUSTOMER_SORTS);
  const column = SORT_COLUMNS[field];
  let query = partnerData(ctx.store.db, scope).customers().selectAll();
  if (filter.sector !== undefined) query = query.where("sector", "=", filter.sector);
  if (filter.country !== undefined) query = query.where("country", "=", filter.country);
  if (filter.externalRef !== undefined)
    query = query.where("external_ref", "=", filter.externalRef);
  if (filter.cursor !== undefined) {
    const after: Cursor = decodeCursor(filter.cursor);
    query = query.where((eb) =>
      eb(
        eb.refTuple(column, "id"),
        direction === "asc" ? ">" : "<",
        eb.tuple(String(after.value), after.id),
      ),
    );
  }
  const rows = ctx.store.readAll(
    query
      .orderBy(column, direction)
      .orderBy("id", direction)
      .limit(filter.limit + 1),
  );
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    data: page.map(toCustomer),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({ value: last[column], id: last.id })
        : null,
  };
}

/** A customer of the scoped org; any other org's customer is reported missing. */
export function getCustomerOrThrow(ctx: ServiceContext, scope: OrgScope, id: string): Customer {
  const row = findById(ctx.store, scope).customer(id);
  if (!row) throw notFound("customer");
  return toCustomer(row);
}

async function insertCustomer(
  tx: Tx,
  ctx: ServiceContext,
  scope: OrgScope,
  input: CustomerInput,
): Promise<CustomerTable> {
  const now = nowIso();
  const row = {
    id: newId("customer"),
    external_ref: input.externalRef,
    name: input.name,
    sector: input.sector ?? null,
    country: input.country ?? null,
    created_at: now,
    updated_at: now,
  };
  await partnerData(tx, scope).insertCustomer(row).execute();
  await appendAudit(tx, ctx, {
    action: "customer.created",
    orgId: scope.orgId,
    targetType: "customer",
    targetId: row.id,
  });
  return { ...row, org_id: scope.orgId };
}

async function assertRefFree(tx: Tx, scope: OrgScope, externalRef: string): Promise<void> {
  const clash = await partnerData(tx, scope)
    .customers()
    .select("id")
    .where("external_ref", "=", externalRef)
    .executeTakeFirst();
  if (clash) throw new AppError("CONFLICT", "a customer with this external reference exists");
}

export function createCustomer(
  ctx: ServiceContext,
  scope: OrgScope,
  input: CustomerInput,
): Promise<Customer> {
  return ctx.store.transaction(async (tx) => {
    await assertRefFree(tx, scope, input.externalRef);
    return toCustomer(await insertCustomer(tx, ctx, scope, input));
  });
}

export function updateCustomer(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
  patch: Partial<CustomerInput>,
): Promise<Customer> {
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data.customers().selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("customer");
    if (patch.externalRef !== undefined && patch.externalRef !== row.external_ref) {
      await assertRefFree(tx, scope, patch.externalRef);
    }
    const next: CustomerTable = {
      ...row,
      external_ref: patch.externalRef ?? row.external_ref,
      name: patch.name ?? row.name,
      sector: patch.sector === undefined ? row.sector : patch.sector,
      country: patch.country === undefined ? row.country : patch.country,
      updated_at: nowIso(),
    };
    await data
      .updateCustomers()
      .set({
        external_ref: next.external_ref,
        name: next.name,
        sector: next.sector,
        country: next.country,
        updated_at: next.updated_at,
      })
      .where("id", "=", id)
      .execute();
    await appendAudit(tx, ctx, {
      action: "customer.updated",
      orgId: scope.orgId,
      targetType: "customer",
      targetId: id,
    });
    return toCustomer(next);
  });
}

/** Deletes a customer that no deal refers to. */
export function deleteCustomer(ctx: ServiceContext, scope: OrgScope, id: string): Promise<void> {
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data.customers().select("id").where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("customer");
    const used = await data.deals().select("id").where("customer_id", "=", id).executeTakeFirst();
    if (used)
      throw new AppError("CONFLICT", "deals refer to this customer; delete or move them first");
    await data.deleteCustomers().where("id", "=", id).execute();
    await appendAudit(tx, ctx, {
      action: "customer.deleted",
      orgId: scope.orgId,
      targetType: "customer",
      targetId: id,
    });
  });
}

export type UpsertOutcome = "created" | "updated" | "unchanged";

/**
 * Creates or updates customers matched by external reference, all in one
 * transaction. With `dryRun` it reports what would happen and writes nothing.
 */
export function upsertCustomers(
  ctx: ServiceContext,
  scope: OrgScope,
  items: readonly CustomerInput[],
  dryRun: boolean,
): Promise<{ results: { externalRef: string; id: string | null; outcome: UpsertOutcome }[] }> {
  const refs = new Set<string>();
  items.forEach((item, index) => {
    if (refs.has(item.externalRef)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `items.${index}: external reference repeated in batch`,
      );
    }
    refs.add(item.externalRef);
  });
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const results = [];
    for (const item of items) {
      const row = await data
        .customers()
        .selectAll()
        .where("external_ref", "=", item.externalRef)
        .executeTakeFirst();
      if (!row) {
        const id = dryRun ? null : (await insertCustomer(tx, ctx, scope, item)).id;
        results.push({ externalRef: item.externalRef, id, outcome: "created" as const });
        continue;
      }
      const same =
        row.name === item.name &&
        row.sector === (item.sector ?? null) &&
        row.country === (item.country ?? null);
      if (!same && !dryRun) {
        await data
          .updateCustomers()
          .set({
            name: item.name,
            sector: item.sector ?? null,
            country: item.country ?? null,
            updated_at: nowIso(),
          })
          .where("id", "=", row.id)
          .execute();
        await appendAudit(tx, ctx, {
          action: "customer.updated",
          orgId: scope.orgId,
          targetType: "customer",
          targetId: row.id,
        });
      }
      results.push({
        externalRef: item.externalRef,
        id: row.id,
        outcome: same ? ("unchanged" as const) : ("updated" as const),
      });
    }
    return { results };
  });
}
