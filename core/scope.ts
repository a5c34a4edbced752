import type { Actor } from "./actor.ts";
import { AppError, notFound } from "./errors.ts";
import type { AccountType } from "./permissions.ts";
import type { Db } from "./store/store.ts";

/** The one org a request may touch, decided from the actor and never from the data. */
export interface OrgScope {
  readonly orgId: string;
  readonly orgSlug: string;
  readonly accountType: AccountType;
  /** True when an operator reaches into an org other than its own. */
  readonly crossOrg: boolean;
}

/**
 * The scoping helper. A partner actor is always scoped to its own org: naming
 * any other org answers exactly like a missing one. An operator must name the
 * org explicitly, by slug or id.
 */
export async function resolveOrgScope(
  db: Db,
  actor: Actor,
  requested: string | undefined,
): Promise<OrgScope> {
  if (actor.accountType === "partner") {
    if (requested !== undefined && requested !== actor.orgId && requested !== actor.orgSlug) {
      throw notFound("org");
    }
    return {
      orgId: actor.orgId,
      orgSlug: actor.orgSlug,
      accountType: "partner",
      crossOrg: false,
    };
  }

  if (requested === undefined || requested === "") {
    throw new AppError(
      "SCOPE_REQUIRED",
      "operators must name the org explicitly (query parameter org, CLI --partner)",
    );
  }
  const org = await findOrgByRef(db, requested);
  if (!org) throw notFound("org");
  return {
    orgId: org.id,
    orgSlug: org.slug,
    accountType: org.account_type,
    crossOrg: org.id !== actor.orgId,
  };
}

/** Looks an org up by id or slug. */
export function findOrgByRef(db: Db, ref: string) {
  return db
    .selectFrom("orgs")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", ref), eb("slug", "=", ref)]))
    .executeTakeFirst();
}
