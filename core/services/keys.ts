import { appendAudit } from "../audit.ts";
import { isoAfter, nowIso, parseDuration } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { assertRoleGrantable, assertScopesGrantable } from "../grants.ts";
import { newId } from "../ids.ts";
import {
  canGrantRole,
  type Permission,
  permissionsOf,
  type Role,
  rolesFor,
} from "../permissions.ts";
import type { OrgScope } from "../scope.ts";
import type { MachineKeyTable } from "../store/schema.ts";
import type { Tx } from "../store/store.ts";
import { hashToken, newToken, tokenHint } from "../tokens.ts";
import type { ServiceContext } from "./context.ts";

const MAX_GRACE_MS = 30 * 86_400_000;
const MAX_LIFETIME_MS = 3650 * 86_400_000;

export interface MachineKey {
  id: string;
  orgId: string;
  name: string;
  role: Role;
  scopes: Permission[];
  hint: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rotatedTo: string | null;
  status: "active" | "expired" | "revoked";
}

function toKey(row: MachineKeyTable, now = nowIso()): MachineKey {
  const status =
    row.revoked_at !== null
      ? "revoked"
      : row.expires_at !== null && row.expires_at <= now
        ? "expired"
        : "active";
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    role: row.role,
    scopes: JSON.parse(row.scopes) as Permission[],
    hint: row.hint,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rotatedTo: row.rotated_to,
    status,
  };
}

function durationOrThrow(text: string, field: string, max: number): number {
  const ms = parseDuration(text);
  if (ms === undefined || (field === "expiresIn" && ms === 0)) {
    throw new AppError("VALIDATION_FAILED", `${field} must look like 90s, 15m, 12h or 30d`);
  }
  if (ms > max) {
    const days = Math.floor(max / 86_400_000);
    throw new AppError("VALIDATION_FAILED", `${field} may be at most ${days}d`);
  }
  return ms;
}

/** The role a key gets when none is named: the creator's own, or the top role it may grant. */
function defaultRole(ctx: ServiceContext, scope: OrgScope): Role {
  if (scope.orgId === ctx.actor.orgId) return ctx.actor.role;
  const grantable = rolesFor(scope.accountType).find((r) => canGrantRole(ctx.actor.permissions, r));
  if (!grantable) throw new AppError("ROLE_ESCALATION", "you cannot grant any role in this org");
  return grantable;
}

async function getScopedKeyOrThrow(
  tx: Tx,
  scope: OrgScope,
  keyId: string,
): Promise<MachineKeyTable> {
  const row = await tx
    .selectFrom("machine_keys")
    .selectAll()
    .where("id", "=", keyId)
    .where("org_id", "=", scope.orgId)
    .executeTakeFirst();
  if (!row) throw notFound("key");
  return row;
}

/**
 * A key in the operator org is an operator credential like a staff account,
 * so minting, rotating or revoking one needs the same permission as managing
 * staff.
 */
function assertMayMintIn(ctx: ServiceContext, scope: OrgScope): void {
  if (scope.accountType === "operator" && !ctx.actor.permissions.has("operators.manage")) {
    throw new AppError("FORBIDDEN", "keys of the operator org require operators.manage");
  }
}

export async function listKeys(ctx: ServiceContext, scope: OrgScope): Promise<MachineKey[]> {
  const rows = await ctx.store.db
    .selectFrom("machine_keys")
    .selectAll()
    .where("org_id", "=", scope.orgId)
    .orderBy("created_at")
    .execute();
  const now = nowIso();
  return rows.map((row) => toKey(row, now));
}

/** Creates a key pinned to the scoped org. The token is returned here and never again. */
export async function createKey(
  ctx: ServiceContext,
  scope: OrgScope,
  input: { name: string; role?: Role; scopes?: string[]; expiresIn?: string },
): Promise<{ key: MachineKey; token: string }> {
  assertMayMintIn(ctx, scope);
  const role = input.role ?? defaultRole(ctx, scope);
  assertRoleGrantable(ctx.actor, scope, role);
  const scopes = assertScopesGrantable(ctx.actor, role, input.scopes ?? permissionsOf(role));
  const expiresAt =
    input.expiresIn === undefined
      ? null
      : isoAfter(durationOrThrow(input.expiresIn, "expiresIn", MAX_LIFETIME_MS));
  return ctx.store.transaction((tx) =>
    insertKey(tx, ctx, scope, { name: input.name, role, scopes, expiresAt }),
  );
}

async function insertKey(
  tx: Tx,
  ctx: ServiceContext,
  scope: OrgScope,
  input: { name: string; role: Role; scopes: Permission[]; expiresAt: string | null },
): Promise<{ key: MachineKey; token: string }> {
  const token = newToken("machineKey");
  const row: MachineKeyTable = {
    id: newId("key"),
    org_id: scope.orgId,
    name: input.name,
    role: input.role,
    scopes: JSON.stringify(input.scopes),
    token_hash: hashToken(token),
    hint: tokenHint(token),
    created_by: ctx.actor.id,
    created_at: nowIso(),
    expires_at: input.expiresAt,
    revoked_at: null,
    last_used_at: null,
    rotated_to: null,
  };
  await tx.insertInto("machine_keys").values(row).execute();
  await appendAudit(tx, ctx, {
    action: "key.created",
    orgId: scope.orgId,
    targetType: "key",
    targetId: row.id,
    details: { role: input.role, scopes: input.scopes, expiresAt: input.expiresAt },
  });
  return { key: toKey(row), token };
}

export async function revokeKey(
  ctx: ServiceContext,
  scope: OrgScope,
  keyId: string,
): Promise<MachineKey> {
  assertMayMintIn(ctx, scope);
  return ctx.store.transaction(async (tx) => {
    const row = await getScopedKeyOrThrow(tx, scope, keyId);
    if (!canGrantRole(ctx.actor.permissions, row.role)) {
      throw new AppError("ROLE_ESCALATION", `you cannot revoke a key whose role is ${row.role}`);
    }
    if (row.revoked_at !== null) return toKey(row);
    const revokedAt = nowIso();
    await tx
      .updateTable("machine_keys")
      .set({ revoked_at: revokedAt })
      .where("id", "=", row.id)
      .where("org_id", "=", scope.orgId)
      .execute();
    await appendAudit(tx, ctx, {
      action: "key.revoked",
      orgId: scope.orgId,
      targetType: "key",
      targetId: row.id,
    });
    return toKey({ ...row, revoked_at: revokedAt });
  });
}

/**
 * Issues a successor with the same role and the same or fewer scopes. The old
 * key stays valid for the grace period (none: it stops at once).
 */
export async function rotateKey(
  ctx: ServiceContext,
  scope: OrgScope,
  keyId: string,
  input: { gracePeriod?: string; scopes?: string[] },
): Promise<{ key: MachineKey; token: string; previous: MachineKey }> {
  const graceMs =
    input.gracePeriod === undefined
      ? 0
      : durationOrThrow(input.gracePeriod, "gracePeriod", MAX_GRACE_MS);
  assertMayMintIn(ctx, scope);
  return ctx.store.transaction(async (tx) => {
    const old = await getScopedKeyOrThrow(tx, scope, keyId);
    const now = nowIso();
    if (toKey(old, now).status !== "active" || old.rotated_to !== null) {
      throw new AppError("CONFLICT", "only an active key that has no successor can be rotated");
    }
    const oldScopes = JSON.parse(old.scopes) as string[];
    const wanted = input.scopes ?? oldScopes;
    const gained = wanted.filter((s) => !oldScopes.includes(s));
    if (gained.length > 0) {
      throw new AppError(
        "ROLE_ESCALATION",
        `a rotated key cannot gain scopes: ${gained.join(", ")}`,
      );
    }
    assertRoleGrantable(ctx.actor, scope, old.role);
    const scopes = assertScopesGrantable(ctx.actor, old.role, wanted);
    const created = await insertKey(tx, ctx, scope, {
      name: old.name,
      role: old.role,
      scopes,
      expiresAt: old.expires_at,
    });
    const graceEnd = isoAfter(graceMs);
    const oldExpiry =
      old.expires_at !== null && old.expires_at < graceEnd ? old.expires_at : graceEnd;
    const revokedAt = graceMs === 0 ? now : null;
    await tx
      .updateTable("machine_keys")
      .set({ expires_at: oldExpiry, revoked_at: revokedAt, rotated_to: created.key.id })
      .where("id", "=", old.id)
      .where("org_id", "=", scope.orgId)
      .execute();
    await appendAudit(tx, ctx, {
      action: "key.rotated",
      orgId: scope.orgId,
      targetType: "key",
      targetId: old.id,
      details: { successor: created.key.id, graceEndsAt: oldExpiry },
    });
    const previous = toKey({
      ...old,
      expires_at: oldExpiry,
      revoked_at: revokedAt,
      rotated_to: created.key.id,
    });
    return { ...created, previous };
  });
}
