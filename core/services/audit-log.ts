import type { ExpressionBuilder } from "kysely";
import { type AuditVerification, verifyAuditChain } from "../audit.ts";
import { AppError } from "../errors.ts";
import { resolveOrgScope } from "../scope.ts";
import type { Database } from "../store/schema.ts";
import { auditOperatorAccess } from "../tenancy/partner-scope.ts";
import type { ServiceContext } from "./context.ts";

export interface AuditRecord {
  /** The position in the whole chain; shown to operators only. */
  seq?: number;
  id: string;
  at: string;
  actorKind: string;
  actorId: string;
  actorOrgId: string | null;
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  clientAddr: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  org?: string;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/**
 * Newest first. Partners see only records about their own org. Operators see
 * their own org's records and what their staff did, or, when they name a
 * partner, that partner's records (an access audited like any other read of
 * partner data): never every tenant's history in one unrecorded answer.
 */
export async function listAudit(
  ctx: ServiceContext,
  filter: AuditFilter,
): Promise<{ data: AuditRecord[]; nextCursor: string | null }> {
  const named = ctx.actor.accountType === "operator" ? (filter.org ?? ctx.actor.orgId) : filter.org;
  const scope = await resolveOrgScope(ctx.store.db, ctx.actor, named);
  await auditOperatorAccess(ctx, scope, "listAudit");
  const orgId = scope.orgId;
  // The operator's own view also holds what its staff did in partner orgs.
  const ownView = scope.accountType === "operator";
  const visible = (eb: ExpressionBuilder<Database, "audit_log">) =>
    ownView
      ? eb.or([eb("org_id", "=", orgId), eb("org_id", "is", null), eb("actor_org_id", "=", orgId)])
      : eb("org_id", "=", orgId);
  let query = ctx.store.db
    .selectFrom("audit_log")
    .selectAll()
    .orderBy("seq", "desc")
    .where(visible);
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.actor) query = query.where("actor_id", "=", filter.actor);
  if (filter.since) query = query.where("at", ">=", filter.since);
  if (filter.until) query = query.where("at", "<", filter.until);
  if (filter.cursor !== undefined) {
    // The cursor is the id of the last record seen, never its global position:
    // a partner must not learn how busy the other tenants are.
    // A cursor outside the caller's view is as invalid as one that never existed.
    const found = await ctx.store.db
      .selectFrom("audit_log")
      .select("seq")
      .where("id", "=", filter.cursor)
      .where(visible)
      .executeTakeFirst();
    if (!found) throw new AppError("VALIDATION_FAILED", "cursor is not valid");
    query = query.where("seq", "<", found.seq);
  }
  const rows = await query.limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const operator = ctx.actor.accountType === "operator";
  return {
    data: page.map((row) => ({
      ...(operator ? { seq: row.seq } : {}),
      id: row.id,
      at: row.at,
      actorKind: row.actor_kind,
      actorId: row.actor_id,
      actorOrgId: row.actor_org_id,
      orgId: row.org_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      requestId: row.request_id,
      clientAddr: row.client_addr,
      details: JSON.parse(row.details) as Record<string, unknown>,
    })),
    nextCursor: rows.length > filter.limit && last ? last.id : null,
  };
}

export function verifyAudit(ctx: ServiceContext): Promise<AuditVerification> {
  return verifyAuditChain(ctx.store.db);
}
