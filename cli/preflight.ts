import { AppError } from "../core/errors.ts";
import type { Permission } from "../core/permissions.ts";
import type { Me } from "./api/types.ts";

/**
 * The refusal the CLI gives before calling an endpoint the actor may not use,
 * or undefined when the permission is held. The daemon still decides; this
 * only spares a round trip and explains the role that falls short.
 */
export function refusalFor(me: Me, permission: Permission): AppError | undefined {
  if (me.permissions.includes(permission)) return undefined;
  const { role, orgSlug } = me.actor;
  return new AppError("FORBIDDEN", `your role ${role} (org ${orgSlug}) lacks ${permission}`);
}

/**
 * The refusal for a command that needs several permissions at once (an
 * import), naming every one the actor lacks; undefined when all are held.
 */
export function refusalForAll(
  me: Me,
  permissions: readonly Permission[],
  purpose: string,
): AppError | undefined {
  const missing = permissions.filter((permission) => !me.permissions.includes(permission));
  if (missing.length === 0) return undefined;
  const { role, orgSlug } = me.actor;
  return new AppError(
    "FORBIDDEN",
    `your role ${role} (org ${orgSlug}) lacks ${missing.join(", ")}, needed ${purpose}`,
  );
}
