import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { assertCurrency } from "../money.ts";
import type { ProductTable } from "../store/schema.ts";
import type { ServiceContext } from "./context.ts";

export interface Product {
  id: string;
  code: string;
  name: string;
  series: string | null;
  listPrice: number | null;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The matching key of a product name: lower case, letters and digits only, so
 * an export that writes `GTXPro` finds the catalogue's `GTX Pro`.
 */
export function productCode(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replaceAll(/[^\p{L}\p{N}]/gu, "");
}

function toProduct(row: ProductTable): Product {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    series: row.series,
    listPrice: row.list_price,
    currency: row.currency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function assertOperator(ctx: ServiceContext): void {
  if (ctx.actor.accountType !== "operator") {
    throw new AppError("FORBIDDEN", "only operators change the catalogue");
  }
}

/** The catalogue is the operator's and readable by every partner. */
export function listProducts(ctx: ServiceContext): Product[] {
  return ctx.store
    .readAll(ctx.store.db.selectFrom("products").selectAll().orderBy("name"))
    .map(toProduct);
}

export function getProductOrThrow(ctx: ServiceContext, id: string): Product {
  const row = ctx.store.readFirst(
    ctx.store.db.selectFrom("products").selectAll().where("id", "=", id),
  );
  if (!row) throw notFound("product");
  return toProduct(row);
}

export async function createProduct(
  ctx: ServiceContext,
  input: { name: string; series?: string | null; listPrice?: number | null; currency: string },
): Promise<Product> {
  assertOperator(ctx);
  const code = productCode(input.name);
  if (code === "") throw new AppError("VALIDATION_FAILED", "name needs a letter or digit");
  const currency = assertCurrency(input.currency);
  return ctx.store.transaction(async (tx) => {
    const clash = await tx
      .selectFrom("products")
      .select("id")
      .where("code", "=", code)
      .executeTakeFirst();
    if (clash) throw new AppError("CONFLICT", "a product with a matching name exists");
    const now = nowIso();
    const row: ProductTable = {
      id: newId("product"),
      code,
      name: input.name,
      series: input.series ?? null,
      list_price: input.listPrice ?? null,
      currency,
      created_at: now,
      updated_at: now,
    };
    await tx.insertInto("products").values(row).execute();
    await appendAudit(tx, ctx, {
      action: "product.created",
      orgId: ctx.actor.orgId,
      targetType: "product",
      targetId: row.id,
      details: { name: row.name },
    });
    return toProduct(row);
  });
}

export async function updateProduct(
  ctx: ServiceContext,
  id: string,
  patch: { series?: string | null; listPrice?: number | null },
): Promise<Product> {
  assertOperator(ctx);
  return ctx.store.transaction(async (tx) => {
    const row = await tx.selectFrom("products").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("product");
    const next: ProductTable = {
      ...row,
      series: patch.series === undefined ? row.series : patch.series,
      list_price: patch.listPrice === undefined ? row.list_price : patch.listPrice,
      updated_at: nowIso(),
    };
    await tx
      .updateTable("products")
      .set({ series: next.series, list_price: next.list_price, updated_at: next.updated_at })
      .where("id", "=", id)
      .execute();
    await appendAudit(tx, ctx, {
      action: "product.updated",
      orgId: ctx.actor.orgId,
      targetType: "product",
      targetId: id,
    });
    return toProduct(next);
  });
}
