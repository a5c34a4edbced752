import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { findOrgByRef } from "../scope.ts";
import { assertSlug } from "../slugs.ts";
import type { OrgTable } from "../store/schema.ts";
import type { ServiceContext } from "./context.ts";

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  accountType: OrgTable["account_type"];
  status: OrgTable["status"];
  createdAt: string;
  updatedAt: string;
}

export function toTenant(row: OrgTable): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    accountType: row.account_type,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function assertOperator(ctx: ServiceContext): void {
  if (ctx.actor.accountType !== "operator") {
    throw new AppError("FORBIDDEN", "only operators manage tenants");
  }
}

/** Provisions a partner org. Slugs are unique across the platform. */
export async function createTenant(
  ctx: ServiceContext,
  input: { slug: string; name: string },
): Promise<Tenant> {
  assertOperator(ctx);
  const slug = assertSlug(input.slug);
  return ctx.store.transaction(async (tx) => {
    const taken = await tx
      .selectFrom("orgs")
      .select("id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (taken) throw new AppError("CONFLICT", "this slug is taken");
    const now = nowIso();
    const row: OrgTable = {
      id: newId("org"),
      slug,
      name: input.name,
      account_type: "partner",
      status: "active",
      created_at: now,
      updated_at: now,
    };
    await tx.insertInto("orgs").values(row).execute();
    await appendAudit(tx, ctx, {
      action: "tenant.created",
      orgId: row.id,
      targetType: "org",
      targetId: row.id,
      details: { slug },
    });
    return toTenant(row);
  });
}

export async function listTenants(
  ctx: ServiceContext,
  filter: { status?: OrgTable["status"] },
): Promise<Tenant[]> {
  assertOperator(ctx);
  let query = ctx.store.db
    .selectFrom("orgs")
    .selectAll()
    .where("account_type", "=", "partner")
    .orderBy("slug");
  if (filter.status) query = query.where("status", "=", filter.status);
  return (await query.execute()).map(toTenant);
}

/** A partner org by slug or id; the operator org is not a tenant. */
export async function getTenantOrThrow(ctx: ServiceContext, ref: string): Promise<Tenant> {
  assertOperator(ctx);
  const row = await findOrgByRef(ctx.store.db, ref);
  if (row?.account_type !== "partner") throw notFound("tenant");
  return toTenant(row);
}

/** Suspends or resumes a tenant. Its actors are refused from their next request; data stays. */
export async function setTenantStatus(
  ctx: ServiceContext,
  ref: string,
  status: OrgTable["status"],
): Promise<Tenant> {
  const tenant = await getTenantOrThrow(ctx, ref);
  if (tenant.status === status) return tenant;
  return ctx.store.transaction(async (tx) => {
    const updatedAt = nowIso();
    await tx
      .updateTable("orgs")
      .set({ status, updated_at: updatedAt })
      .where("id", "=", tenant.id)
      .where("account_type", "=", "partner")
      .execute();
    await appendAudit(tx, ctx, {
      action: status === "suspended" ? "tenant.suspended" : "tenant.resumed",
      orgId: tenant.id,
      targetType: "org",
      targetId: tenant.id,
    });
    return { ...tenant, status, updatedAt };
  });
}
