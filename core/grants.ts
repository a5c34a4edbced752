import type { Actor } from "./actor.ts";
import { AppError } from "./errors.ts";
import {
  accountTypeOfRole,
  canGrantRole,
  isPermission,
  type Permission,
  permissionsOf,
  type Role,
} from "./permissions.ts";
import type { OrgScope } from "./scope.ts";

/**
 * The single escalation rule: an actor may hand out a role (to a user or a
 * key) only when the role's permissions are all its own, and only a role of
 * the target org's account type.
 */
export function assertRoleGrantable(actor: Actor, scope: OrgScope, role: Role): void {
  if (accountTypeOfRole(role) !== scope.accountType) {
    const org = scope.accountType === "operator" ? "the operator org" : "a partner org";
    throw new AppError("VALIDATION_FAILED", `role ${role} does not exist in ${org}`);
  }
  if (!canGrantRole(actor.permissions, role)) {
    throw new AppError(
      "ROLE_ESCALATION",
      `you cannot grant role ${role}: it holds permissions you lack`,
    );
  }
}

/**
 * Checks key scopes: known permissions, inside the key's role, and never
 * beyond what the actor holds. Returns them sorted and de-duplicated.
 */
export function assertScopesGrantable(
  actor: Actor,
  role: Role,
  scopes: readonly string[],
): Permission[] {
  const unique = [...new Set(scopes)].sort();
  const unknown = unique.filter((s) => !isPermission(s));
  if (unknown.length > 0) {
    throw new AppError("VALIDATION_FAILED", `unknown scope: ${unknown.join(", ")}`);
  }
  const valid = unique as Permission[];
  const roleHolds = new Set(permissionsOf(role));
  const outsideRole = valid.filter((s) => !roleHolds.has(s));
  if (outsideRole.length > 0) {
    throw new AppError(
      "VALIDATION_FAILED",
      `role ${role} does not include: ${outsideRole.join(", ")}`,
    );
  }
  const beyondActor = valid.filter((s) => !actor.permissions.has(s));
  if (beyondActor.length > 0) {
    throw new AppError(
      "ROLE_ESCALATION",
      `you cannot grant scopes you lack: ${beyondActor.join(", ")}`,
    );
  }
  return valid;
}
