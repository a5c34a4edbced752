import { appendAudit } from "../audit.ts";
import { isoAfter, nowIso } from "../clock.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import { burnPasswordCheck, verifyPassword } from "../passwords.ts";
import { normalizeEmail } from "../slugs.ts";
import type { Store } from "../store/store.ts";
import { FailureThrottle } from "../throttle.ts";
import { hashToken, newToken } from "../tokens.ts";
import type { ServiceContext } from "./context.ts";

const WINDOW_MS = 15 * 60_000;

export interface LoginPolicy {
  sessionTtlMs: number;
  /** Failures allowed per email address in a 15-minute window. */
  perAccount: FailureThrottle;
  /** Failures allowed per client address in a 15-minute window. */
  perClient: FailureThrottle;
}

export function defaultLoginPolicy(sessionTtlMs: number): LoginPolicy {
  return {
    sessionTtlMs,
    perAccount: new FailureThrottle({ limit: 5, windowMs: WINDOW_MS }),
    perClient: new FailureThrottle({ limit: 20, windowMs: WINDOW_MS }),
  };
}

// The same answer for every failure; the hint applies to anyone, so it reveals nothing.
const invalid = () =>
  new AppError(
    "INVALID_CREDENTIALS",
    "email or password is incorrect (an email used in several orgs needs the org named)",
  );

/**
 * Trades an email and password for a session token. The answer is the same
 * whether or not the email exists; failures are throttled by email and by client.
 */
export async function login(
  store: Store,
  policy: LoginPolicy,
  request: { requestId: string | null; clientAddr: string | null },
  input: { email: string; password: string; org?: string },
): Promise<{ token: string; expiresAt: string; userId: string }> {
  const email = normalizeEmail(input.email);
  const clientKey = request.clientAddr ?? "unknown";
  if (policy.perAccount.isLocked(email) || policy.perClient.isLocked(clientKey)) {
    throw new AppError("RATE_LIMITED", "too many failed logins; try again later");
  }

  let query = store.db
    .selectFrom("users as u")
    .innerJoin("orgs as o", "o.id", "u.org_id")
    .select(["u.id", "u.org_id", "u.password_hash", "o.status as org_status"])
    .where("u.email", "=", email)
    .where("u.status", "=", "active");
  if (input.org !== undefined) {
    query = query.where((eb) =>
      eb.or([eb("o.slug", "=", input.org ?? ""), eb("o.id", "=", input.org ?? "")]),
    );
  }
  // Exactly one password check per attempt, whatever other orgs hold the same
  // email: the oldest account unless `org` names one. Checking every match
  // would let timing tell a tenant which addresses exist in other orgs.
  const candidate = await query.orderBy("u.created_at").orderBy("u.id").executeTakeFirst();
  const verified = candidate?.password_hash
    ? await verifyPassword(candidate.password_hash, input.password)
    : await burnPasswordCheck(input.password);
  const user = verified ? candidate : undefined;
  if (!user) {
    policy.perAccount.fail(email);
    policy.perClient.fail(clientKey);
    throw invalid();
  }
  if (user.org_status !== "active") throw new AppError("ORG_SUSPENDED", "this org is suspended");
  policy.perAccount.clear(email);

  const token = newToken("session");
  const expiresAt = isoAfter(policy.sessionTtlMs);
  await store.transaction(async (tx) => {
    const id = newId("session");
    await tx
      .insertInto("sessions")
      .values({
        id,
        user_id: user.id,
        token_hash: hashToken(token),
        created_at: nowIso(),
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    const actor = { kind: "user" as const, id: user.id, orgId: user.org_id };
    await appendAudit(
      tx,
      { actor, ...request },
      {
        action: "session.created",
        orgId: user.org_id,
        targetType: "session",
        targetId: id,
      },
    );
  });
  return { token, expiresAt, userId: user.id };
}

/** Revokes the session that authenticated this request. */
export async function logout(ctx: ServiceContext): Promise<void> {
  if (ctx.actor.kind !== "user") {
    throw new AppError("VALIDATION_FAILED", "machine keys have no session; revoke the key instead");
  }
  await ctx.store.transaction(async (tx) => {
    await tx
      .updateTable("sessions")
      .set({ revoked_at: nowIso() })
      .where("id", "=", ctx.actor.credentialId)
      .where("user_id", "=", ctx.actor.id)
      .execute();
    await appendAudit(tx, ctx, {
      action: "session.revoked",
      orgId: ctx.actor.orgId,
      targetType: "session",
      targetId: ctx.actor.credentialId,
    });
  });
}
