/**
 * The permission catalog and the role table. Everything that decides "may this
 * actor do that" reads from here: the daemon's route guard, the services'
 * grant checks and the CLI's pre-flight check.
 */

export const PERMISSIONS = [
  "me.read",
  "tenants.read",
  "tenants.create",
  "tenants.suspend",
  "users.read",
  "users.invite",
  "users.update",
  "users.remove",
  "keys.read",
  "keys.create",
  "keys.revoke",
  "keys.rotate",
  "audit.read",
  "audit.verify",
  "operators.manage",
  "products.read",
  "products.write",
  "customers.read",
  "customers.write",
  "deals.read",
  "deals.write",
  "cross_partner.read",
  "master_key.read",
  "master_key.rotate",
  "credentials.read",
  "credentials.write",
  "domains.read",
  "domains.write",
  "branding.write",
  "events.read",
  "events.write",
  "webhooks.read",
  "webhooks.write",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  "me.read": "Read the calling actor and its permissions",
  "tenants.read": "List and show partner orgs",
  "tenants.create": "Provision partner orgs",
  "tenants.suspend": "Suspend and resume partner orgs",
  "users.read": "List users of an org in scope",
  "users.invite": "Invite users into an org in scope",
  "users.update": "Change the role of a user in scope",
  "users.remove": "Remove a user in scope",
  "keys.read": "List machine keys of an org in scope",
  "keys.create": "Create machine keys in an org in scope",
  "keys.revoke": "Revoke machine keys in an org in scope",
  "keys.rotate": "Rotate machine keys in an org in scope",
  "audit.read": "Read audit records (partners: their own org's only)",
  "audit.verify": "Verify the integrity of the whole audit chain",
  "operators.manage": "Manage the operator org's own members",
  "products.read": "Read the product catalogue",
  "products.write": "Add and change catalogue products",
  "customers.read": "Read customers of the partner org in scope",
  "customers.write": "Create, change and delete customers of the partner org in scope",
  "deals.read": "Read deals of the partner org in scope",
  "deals.write": "Create, change and delete deals of the partner org in scope",
  "cross_partner.read": "Run audited queries across several partners' deals",
  "master_key.read": "Read the master key versions and their encryption counts",
  "master_key.rotate":
    "Rotate the master key, re-encrypting every stored secret, and retire old versions",
  "credentials.read": "List and show the masked credentials of the partner org in scope",
  "credentials.write": "Set, delete and test (send to their host) credentials of the org in scope",
  "domains.read": "List and show the custom domains and branding of the partner org in scope",
  "domains.write": "Claim, verify and remove custom domains of the partner org in scope",
  "branding.write": "Set the public branding the partner org's verified domains show",
  "events.read": "List and show the ingested events of the partner org in scope",
  "events.write": "Push click, lead, signup, sale and refund events for the partner org in scope",
  "webhooks.read": "List webhook endpoints (secrets masked) and their deliveries in scope",
  "webhooks.write": "Register, change, rotate, test and replay webhook endpoints in scope",
};

export type AccountType = "operator" | "partner";

export const OPERATOR_ROLES = ["owner", "admin", "manager", "analyst"] as const;
export const PARTNER_ROLES = ["partner_admin", "partner_member", "partner_viewer"] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export type Role = OperatorRole | PartnerRole;
export const ROLES: readonly Role[] = [...OPERATOR_ROLES, ...PARTNER_ROLES];

const ALL = new Set<Permission>(PERMISSIONS);
const without = (...excluded: Permission[]): Permission[] =>
  PERMISSIONS.filter((p) => !excluded.includes(p));

/** The one table from roles to permissions. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: [...ALL],
  // Key material bookkeeping is the owner's alone.
  admin: without("operators.manage", "master_key.read", "master_key.rotate"),
  manager: without(
    "operators.manage",
    "tenants.suspend",
    "audit.verify",
    "master_key.read",
    "master_key.rotate",
  ),
  analyst: [
    "me.read",
    "tenants.read",
    "users.read",
    "keys.read",
    "audit.read",
    "products.read",
    "customers.read",
    "deals.read",
    "cross_partner.read",
    "credentials.read",
    "domains.read",
    "events.read",
    "webhooks.read",
  ],
  partner_admin: [
    "me.read",
    "users.read",
    "users.invite",
    "users.update",
    "users.remove",
    "keys.read",
    "keys.create",
    "keys.revoke",
    "keys.rotate",
    "audit.read",
    "products.read",
    "customers.read",
    "customers.write",
    "deals.read",
    "deals.write",
    "credentials.read",
    "credentials.write",
    "domains.read",
    "domains.write",
    "branding.write",
    "events.read",
    "events.write",
    "webhooks.read",
    "webhooks.write",
  ],
  partner_member: [
    "me.read",
    "users.read",
    "keys.read",
    "products.read",
    "customers.read",
    "customers.write",
    "deals.read",
    "deals.write",
    "domains.read",
    "events.read",
    "events.write",
    "webhooks.read",
  ],
  partner_viewer: [
    "me.read",
    "users.read",
    "products.read",
    "customers.read",
    "deals.read",
    "events.read",
  ],
};

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function accountTypeOfRole(role: Role): AccountType {
  return (OPERATOR_ROLES as readonly string[]).includes(role) ? "operator" : "partner";
}

export function rolesFor(accountType: AccountType): readonly Role[] {
  return accountType === "operator" ? OPERATOR_ROLES : PARTNER_ROLES;
}

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/**
 * What a machine key may do: its scopes (a JSON list, or null for the whole
 * role), cut down to what its role allows today.
 */
export function keyPermissions(role: Role, scopes: string | null): Set<Permission> {
  const allowed = new Set(permissionsOf(role));
  if (scopes === null) return allowed;
  const parsed: unknown = JSON.parse(scopes);
  const list = Array.isArray(parsed) ? parsed : [];
  return new Set(
    list.filter((p): p is Permission => typeof p === "string" && isPermission(p) && allowed.has(p)),
  );
}

/** True when every permission in `wanted` is also in `held`. */
export function isSubset(wanted: Iterable<Permission>, held: ReadonlySet<Permission>): boolean {
  for (const permission of wanted) if (!held.has(permission)) return false;
  return true;
}

/**
 * Whether a holder of `held` may hand out `role` to someone else. The rule is
 * the same for invitations, role changes and keys: never more than you hold.
 */
export function canGrantRole(held: ReadonlySet<Permission>, role: Role): boolean {
  return isSubset(ROLE_PERMISSIONS[role], held);
}
