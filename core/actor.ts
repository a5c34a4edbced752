import type { AccountType, Permission, Role } from "./permissions.ts";

/** Who is making a request. Built once by authentication, read everywhere after. */
export interface Actor {
  readonly kind: "user" | "machine";
  readonly id: string;
  readonly orgId: string;
  readonly orgSlug: string;
  readonly accountType: AccountType;
  readonly role: Role;
  readonly permissions: ReadonlySet<Permission>;
  /** The session id (users) or key id (machines) that authenticated this request. */
  readonly credentialId: string;
}

export function actorCan(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}
