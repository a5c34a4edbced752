import { appendAudit } from "../audit.ts";
import { isoAfter, nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { assertRoleGrantable } from "../grants.ts";
import { newId } from "../ids.ts";
import { assertPasswordAcceptable, hashPassword } from "../passwords.ts";
import {
  canGrantRole,
  isSubset,
  keyPermissions,
  permissionsOf,
  type Role,
} from "../permissions.ts";
import type { OrgScope } from "../scope.ts";
import { normalizeEmail } from "../slugs.ts";
import type { UserTable } from "../store/schema.ts";
import type { Store, Tx } from "../store/store.ts";
import { hashToken, newToken } from "../tokens.ts";
import type { ServiceContext } from "./context.ts";

const INVITATION_TTL_MS = 7 * 86_400_000;

export interface User {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  status: UserTable["status"];
  createdAt: string;
  updatedAt: string;
}

function toUser(row: UserTable): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Members of the operator org are staff: only holders of operators.manage change them. */
function assertMayManageMembers(ctx: ServiceContext, scope: OrgScope): void {
  if (scope.accountType === "operator" && !ctx.actor.permissions.has("operators.manage")) {
    throw new AppError("FORBIDDEN", "managing operator staff requires operators.manage");
  }
}

/** Loads a user of the scoped org; any other org's user is reported missing. */
async function getScopedUserOrThrow(tx: Tx, scope: OrgScope, userId: string): Promise<UserTable> {
  const row = await tx
    .selectFrom("users")
    .selectAll()
    .where("id", "=", userId)
    .where("org_id", "=", scope.orgId)
    .where("status", "!=", "removed")
    .executeTakeFirst();
  if (!row) throw notFound("user");
  return row;
}

async function assertNotLastOwner(tx: Tx, scope: OrgScope, user: UserTable): Promise<void> {
  if (user.role !== "owner") return;
  const owners = await tx
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("org_id", "=", scope.orgId)
    .where("role", "=", "owner")
    .where("status", "=", "active")
    .executeTakeFirstOrThrow();
  if (Number(owners.n) <= 1) throw new AppError("CONFLICT", "the last owner cannot be changed");
}

export async function listUsers(ctx: ServiceContext, scope: OrgScope): Promise<User[]> {
  const rows = await ctx.store.db
    .selectFrom("users")
    .selectAll()
    .where("org_id", "=", scope.orgId)
    .where("status", "!=", "removed")
    .orderBy("email")
    .execute();
  return rows.map(toUser);
}

/** Creates an invited user and a one-time invitation token, shown only in this answer. */
export async function inviteUser(
  ctx: ServiceContext,
  scope: OrgScope,
  input: { email: string; name: string; role: Role },
): Promise<{ user: User; invitation: { token: string; expiresAt: string } }> {
  assertMayManageMembers(ctx, scope);
  assertRoleGrantable(ctx.actor, scope, input.role);
  const email = normalizeEmail(input.email);
  const token = newToken("invitation");

  return ctx.store.transaction(async (tx) => {
    const existing = await tx
      .selectFrom("users")
      .selectAll()
      .where("org_id", "=", scope.orgId)
      .where("email", "=", email)
      .executeTakeFirst();
    if (existing && existing.status !== "removed") {
      throw new AppError("CONFLICT", "this org already has a user with that email");
    }
    const now = nowIso();
    const row: UserTable = {
      id: existing?.id ?? newId("user"),
      org_id: scope.orgId,
      email,
      name: input.name,
      role: input.role,
      status: "invited",
      password_hash: null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    const expiresAt = isoAfter(INVITATION_TTL_MS);
    // A removed user invited again keeps its id, so its history stays attached.
    if (existing) {
      await tx
        .updateTable("users")
        .set({ name: row.name, role: row.role, status: "invited", updated_at: now })
        .where("id", "=", existing.id)
        .where("org_id", "=", scope.orgId)
        .execute();
      // Invitations issued before the removal must not come back to life.
      await tx
        .updateTable("invitations")
        .set({ expires_at: now })
        .where("user_id", "=", existing.id)
        .where("accepted_at", "is", null)
        .execute();
    } else {
      await tx.insertInto("users").values(row).execute();
    }
    await tx
      .insertInto("invitations")
      .values({
        id: newId("invitation"),
        user_id: row.id,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: expiresAt,
        accepted_at: null,
      })
      .execute();
    await appendAudit(tx, ctx, {
      action: "user.invited",
      orgId: scope.orgId,
      targetType: "user",
      targetId: row.id,
      details: { role: input.role },
    });
    return { user: toUser(row), invitation: { token, expiresAt } };
  });
}

/** Redeems an invitation: sets the password and activates the user. */
export async function acceptInvitation(
  store: Store,
  request: { requestId: string | null; clientAddr: string | null },
  input: { token: string; password: string },
): Promise<User> {
  assertPasswordAcceptable(input.password);
  const passwordHash = await hashPassword(input.password);
  return store.transaction(async (tx) => {
    const now = nowIso();
    const found = await tx
      .selectFrom("invitations as i")
      .innerJoin("users as u", "u.id", "i.user_id")
      .innerJoin("orgs as o", "o.id", "u.org_id")
      .select(["i.id as invitation_id", "i.expires_at", "i.accepted_at", "o.status as org_status"])
      .selectAll("u")
      .where("i.token_hash", "=", hashToken(input.token))
      .executeTakeFirst();
    if (
      !found ||
      found.accepted_at !== null ||
      found.expires_at <= now ||
      found.status !== "invited"
    ) {
      throw new AppError("INVALID_CREDENTIALS", "invitation is invalid, used or expired");
    }
    if (found.org_status !== "active") throw new AppError("ORG_SUSPENDED", "this org is suspended");
    await tx
      .updateTable("invitations")
      .set({ accepted_at: now })
      .where("id", "=", found.invitation_id)
      .execute();
    await tx
      .updateTable("users")
      .set({ status: "active", password_hash: passwordHash, updated_at: now })
      .where("id", "=", found.id)
      .execute();
    const actor = { kind: "user" as const, id: found.id, orgId: found.org_id };
    await appendAudit(
      tx,
      { actor, ...request },
      {
        action: "user.joined",
        orgId: found.org_id,
        targetType: "user",
        targetId: found.id,
      },
    );
    return toUser({ ...found, status: "active", password_hash: null, updated_at: now });
  });
}

/**
 * Changes a user's role. Nobody changes their own role, and nobody moves a
 * user from or to a role holding permissions they lack.
 */
export async function setUserRole(
  ctx: ServiceContext,
  scope: OrgScope,
  userId: string,
  role: Role,
): Promise<User> {
  assertMayManageMembers(ctx, scope);
  assertRoleGrantable(ctx.actor, scope, role);
  return ctx.store.transaction(async (tx) => {
    const user = await getScopedUserOrThrow(tx, scope, userId);
    if (user.id === ctx.actor.id)
      throw new AppError("FORBIDDEN", "you cannot change your own role");
    if (!canGrantRole(ctx.actor.permissions, user.role)) {
      throw new AppError("ROLE_ESCALATION", `you cannot change a user whose role is ${user.role}`);
    }
    if (user.role === role) return toUser(user);
    if (role !== "owner") await assertNotLastOwner(tx, scope, user);
    const updatedAt = nowIso();
    await tx
      .updateTable("users")
      .set({ role, updated_at: updatedAt })
      .where("id", "=", user.id)
      .where("org_id", "=", scope.orgId)
      .execute();
    // A key never does more than its maker may: a demotion takes with it the
    // keys the user minted (and those minted from them) beyond the new role.
    const kept = new Set(permissionsOf(role));
    const keysRevoked = await revokeKeysMintedBy(tx, user.id, updatedAt, (key) =>
      isSubset(keyPermissions(key.role, key.scopes), kept),
    );
    await appendAudit(tx, ctx, {
      action: "user.role_changed",
      orgId: scope.orgId,
      targetType: "user",
      targetId: user.id,
      details: { from: user.role, to: role, keysRevoked },
    });
    return toUser({ ...user, role, updated_at: updatedAt });
  });
}

/** Removes a user and revokes its sessions at once. The row stays for the audit trail. */
export async function removeUser(
  ctx: ServiceContext,
  scope: OrgScope,
  userId: string,
): Promise<void> {
  assertMayManageMembers(ctx, scope);
  await ctx.store.transaction(async (tx) => {
    const user = await getScopedUserOrThrow(tx, scope, userId);
    if (user.id === ctx.actor.id) throw new AppError("FORBIDDEN", "you cannot remove yourself");
    if (!canGrantRole(ctx.actor.permissions, user.role)) {
      throw new AppError("ROLE_ESCALATION", `you cannot remove a user whose role is ${user.role}`);
    }
    await assertNotLastOwner(tx, scope, user);
    const now = nowIso();
    await tx
      .updateTable("users")
      .set({ status: "removed", password_hash: null, updated_at: now })
      .where("id", "=", user.id)
      .where("org_id", "=", scope.orgId)
      .execute();
    await tx
      .updateTable("sessions")
      .set({ revoked_at: now })
      .where("user_id", "=", user.id)
      .where("revoked_at", "is", null)
      .execute();
    const keysRevoked = await revokeKeysMintedBy(tx, user.id, now);
    await appendAudit(tx, ctx, {
      action: "user.removed",
      orgId: scope.orgId,
      targetType: "user",
      targetId: user.id,
      details: { keysRevoked },
    });
  });
}

/**
 * Offboarding takes with it every key the user minted, in any org, and every
 * key those keys minted in turn: otherwise a removed member keeps working
 * through a key made the day before.
 */
async function revokeKeysMintedBy(
  tx: Tx,
  userId: string,
  now: string,
  keep: (key: { role: Role; scopes: string | null }) => boolean = () => false,
): Promise<string[]> {
  const revoked: string[] = [];
  const seen = new Set<string>([userId]);
  let creators = [userId];
  while (creators.length > 0) {
    const minted = await tx
      .selectFrom("machine_keys")
      .select(["id", "revoked_at", "role", "scopes"])
      .where("created_by", "in", creators)
      .execute();
    const active = minted.filter((k) => k.revoked_at === null && !keep(k)).map((k) => k.id);
    if (active.length > 0) {
      await tx
        .updateTable("machine_keys")
        .set({ revoked_at: now })
        .where("id", "in", active)
        .execute();
      revoked.push(...active);
    }
    creators = minted.map((k) => k.id).filter((id) => !seen.has(id));
    for (const id of creators) seen.add(id);
  }
  return revoked;
}
