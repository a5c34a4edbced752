import { appendAudit } from "../audit.ts";
import { isoAfter, nowIso } from "../clock.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import { assertPasswordAcceptable, hashPassword } from "../passwords.ts";
import { assertSlug, normalizeEmail } from "../slugs.ts";
import type { Store } from "../store/store.ts";
import { hashToken, newToken } from "../tokens.ts";

export interface BootstrapInput {
  email: string;
  password: string;
  name?: string;
  orgSlug?: string;
  orgName?: string;
  sessionTtlMs: number;
}

export interface BootstrapResult {
  orgId: string;
  userId: string;
  sessionToken: string;
  expiresAt: string;
}

/**
 * Creates the operator org and its first owner in an empty store, and a first
 * session for the CLI profile. Refused once any org exists.
 */
export async function bootstrapOperator(
  store: Store,
  input: BootstrapInput,
): Promise<BootstrapResult> {
  assertPasswordAcceptable(input.password);
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new AppError("VALIDATION_FAILED", "email is not a valid address");
  }
  const slug = assertSlug(input.orgSlug ?? "operator");
  const passwordHash = await hashPassword(input.password);
  const sessionToken = newToken("session");

  return store.transaction(async (tx) => {
    const existing = await tx.selectFrom("orgs").select("id").limit(1).executeTakeFirst();
    if (existing) {
      throw new AppError("ALREADY_INITIALIZED", "this data dir already holds an operator org");
    }
    const now = nowIso();
    const orgId = newId("org");
    const userId = newId("user");
    const sessionId = newId("session");
    const expiresAt = isoAfter(input.sessionTtlMs);
    await tx
      .insertInto("orgs")
      .values({
        id: orgId,
        slug,
        name: input.orgName ?? "Operator",
        account_type: "operator",
        status: "active",
        created_at: now,
        updated_at: now,
      })
      .execute();
    await tx
      .insertInto("users")
      .values({
        id: userId,
        org_id: orgId,
        email,
        name: input.name ?? email,
        role: "owner",
        status: "active",
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await tx
      .insertInto("sessions")
      .values({
        id: sessionId,
        user_id: userId,
        token_hash: hashToken(sessionToken),
        created_at: now,
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    const context = {
      actor: { kind: "user" as const, id: userId, orgId },
      requestId: null,
      clientAddr: null,
    };
    await appendAudit(tx, context, {
      action: "org.initialized",
      orgId,
      targetType: "org",
      targetId: orgId,
      details: { ownerId: userId, slug },
    });
    return { orgId, userId, sessionToken, expiresAt };
  });
}
