import { appendAudit } from "../audit.ts";
import { notFound } from "../errors.ts";
import { type OrgScope, resolveOrgScope } from "../scope.ts";
import type { ServiceContext } from "../services/context.ts";

/**
 * Resolves the partner org whose data a request touches. Partners get their
 * own org; operators must name one, and every such access is audited before
 * any data is read. The operator org holds no partner data.
 */
export async function resolvePartnerScope(
  ctx: ServiceContext,
  requested: string | undefined,
  operation: string,
): Promise<OrgScope> {
  const scope = await resolveOrgScope(ctx.store.db, ctx.actor, requested);
  if (scope.accountType !== "partner") throw notFound("partner org");
  await auditOperatorAccess(ctx, scope, operation);
  return scope;
}

/** Records an operator's read of a partner org's data before the data is read. */
export async function auditOperatorAccess(
  ctx: ServiceContext,
  scope: OrgScope,
  operation: string,
): Promise<void> {
  if (ctx.actor.accountType !== "operator" || scope.accountType !== "partner") return;
  await ctx.store.transaction((tx) =>
    appendAudit(tx, ctx, {
      action: "partner_data.accessed",
      orgId: scope.orgId,
      targetType: "org",
      targetId: scope.orgId,
      details: { operation },
    }),
  );
}
