import { randomBytes } from "node:crypto";
import { appendAudit, SYSTEM_ACTOR } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { normalizeHostname } from "../domains/hostname.ts";
import type { TxtLookup } from "../domains/txt.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import type { OrgScope } from "../scope.ts";
import type { DomainStatus, DomainTable } from "../store/schema.ts";
import type { Store } from "../store/store.ts";
import { partnerData, verifiedDomains } from "../tenancy/partner-data.ts";
import type { ServiceContext } from "./context.ts";

/** What the daemon needs to judge and check domains: its resolver and its own names. */
export interface DomainSettings {
  readonly lookup: TxtLookup;
  readonly platformHosts: readonly string[];
}

/** Why a check did not verify: stable codes, never resolver output. */
export type CheckError = "RECORD_MISSING" | "RECORD_MISMATCH";

export interface Domain {
  id: string;
  orgId: string;
  hostname: string;
  status: DomainStatus;
  /** Exactly what to publish; the caller chooses neither the name nor the value. */
  verification: { type: "TXT"; name: string; value: string };
  createdAt: string;
  updatedAt: string;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  lastCheckError: string | null;
}

/** Claims one org may hold at once, so a partner cannot flood the re-check and the table. */
export const MAX_DOMAINS_PER_ORG = 50;

const CHALLENGE_LABEL = "_partneros-challenge";
const CHALLENGE_PREFIX = "partneros-verification=";

/** The name a hostname's proof is published at. */
export const challengeName = (hostname: string) => `${CHALLENGE_LABEL}.${hostname}`;

function toDomain(row: DomainTable): Domain {
  return {
    id: row.id,
    orgId: row.org_id,
    hostname: row.hostname,
    status: row.status,
    verification: { type: "TXT", name: challengeName(row.hostname), value: row.challenge },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    verifiedAt: row.verified_at,
    lastCheckedAt: row.last_checked_at,
    lastCheckError: row.last_check_error,
  };
}

/** Whether the published TXT values prove the claim: one of them is exactly the challenge. */
async function checkProof(
  lookup: TxtLookup,
  hostname: string,
  challenge: string,
): Promise<CheckError | null> {
  const values = await lookup(challengeName(hostname));
  if (values.includes(challenge)) return null;
  return values.length === 0 ? "RECORD_MISSING" : "RECORD_MISMATCH";
}

const heldElsewhere = () => new AppError("CONFLICT", "this hostname is verified by another org");

/**
 * Claims a hostname for the scoped org and answers with the TXT record that
 * proves it. The claim is pending, and honoured nowhere, until verified.
 */
export async function addDomain(
  ctx: ServiceContext,
  settings: DomainSettings,
  scope: OrgScope,
  input: { hostname: string },
): Promise<Domain> {
  const hostname = normalizeHostname(input.hostname, settings.platformHosts);
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const mine = await data
      .domains()
      .select("id")
      .where("hostname", "=", hostname)
      .executeTakeFirst();
    if (mine) throw new AppError("CONFLICT", `this org already claims ${hostname}`);
    const held = await data
      .domains()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    if (Number(held.n) >= MAX_DOMAINS_PER_ORG) {
      throw new AppError(
        "CONFLICT",
        `this org already holds ${MAX_DOMAINS_PER_ORG} domain claims; remove one first`,
      );
    }
    const taken = await verifiedDomains.heldElsewhere(tx, hostname, scope.orgId).executeTakeFirst();
    if (taken) throw heldElsewhere();

    const now = nowIso();
    const row: DomainTable = {
      id: newId("domain"),
      org_id: scope.orgId,
      hostname,
      status: "pending",
      challenge: `${CHALLENGE_PREFIX}${randomBytes(24).toString("base64url")}`,
      created_at: now,
      updated_at: now,
      verified_at: null,
      last_checked_at: null,
      last_check_error: null,
    };
    const { org_id: _org, ...values } = row;
    await data.insertDomain(values).execute();
    await appendAudit(tx, ctx, {
      action: "domain.added",
      orgId: scope.orgId,
      targetType: "domain",
      targetId: row.id,
      details: { hostname },
    });
    return toDomain(row);
  });
}

export async function listDomains(ctx: ServiceContext, scope: OrgScope): Promise<Domain[]> {
  const rows = await partnerData(ctx.store.db, scope)
    .domains()
    .selectAll()
    .orderBy("hostname")
    .execute();
  return rows.map(toDomain);
}

async function findRowOrThrow(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
): Promise<DomainTable> {
  const row = await partnerData(ctx.store.db, scope)
    .domains()
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("domain");
  return row;
}

/** A domain of the scoped org; any other org's is reported missing. */
export async function getDomainOrThrow(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
): Promise<Domain> {
  return toDomain(await findRowOrThrow(ctx, scope, id));
}

/**
 * Looks the proof up now. Found: the domain is verified (409 if another org
 * verified the hostname first). Not found: a pending claim stays pending, a
 * verified one becomes unverified at once. A resolver that does not answer
 * changes nothing (UNAVAILABLE).
 */
export async function verifyDomain(
  ctx: ServiceContext,
  settings: DomainSettings,
  scope: OrgScope,
  id: string,
): Promise<Domain> {
  const before = await findRowOrThrow(ctx, scope, id);
  const error = await checkProof(settings.lookup, before.hostname, before.challenge);

  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data.domains().selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("domain");
    const now = nowIso();
    const status: DomainStatus =
      error === null ? "verified" : row.status === "verified" ? "unverified" : row.status;
    if (status === "verified") {
      const taken = await verifiedDomains
        .heldElsewhere(tx, row.hostname, scope.orgId)
        .executeTakeFirst();
      if (taken) throw heldElsewhere();
    }
    const changes = {
      status,
      updated_at: now,
      last_checked_at: now,
      last_check_error: error,
      // When the current proof was first found; cleared while there is none.
      verified_at: status !== "verified" ? null : row.status === "verified" ? row.verified_at : now,
    };
    await data.updateDomains().set(changes).where("id", "=", id).execute();
    if (status !== row.status) {
      await appendAudit(tx, ctx, {
        action: status === "verified" ? "domain.verified" : "domain.unverified",
        orgId: scope.orgId,
        targetType: "domain",
        targetId: id,
        details: { hostname: row.hostname, ...(error === null ? {} : { reason: error }) },
      });
    }
    return toDomain({ ...row, ...changes });
  });
}

/** Removes a claim; a verified domain stops being honoured with the commit. */
export async function removeDomain(ctx: ServiceContext, scope: OrgScope, id: string) {
  await ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data
      .domains()
      .select(["id", "hostname", "status"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw notFound("domain");
    await data.deleteDomains().where("id", "=", id).execute();
    await appendAudit(tx, ctx, {
      action: "domain.removed",
      orgId: scope.orgId,
      targetType: "domain",
      targetId: id,
      details: { hostname: row.hostname, status: row.status },
    });
  });
}

/**
 * The daemon's periodic re-check: every verified domain not checked within
 * `intervalMs` is looked up again, and one whose proof is gone or changed
 * becomes unverified at once, audited as the daemon's own act. A resolver
 * outage leaves the domain as it was, to be checked on the next round.
 */
export async function recheckDomains(
  store: Store,
  settings: DomainSettings,
  options: { intervalMs: number; batch?: number },
): Promise<{ checked: number; unverified: string[]; unanswered: number }> {
  const before = new Date(Date.now() - options.intervalMs).toISOString();
  const due = await verifiedDomains.dueForCheck(store.db, before, options.batch ?? 100).execute();
  const unverified: string[] = [];
  let unanswered = 0;
  for (const domain of due) {
    let error: CheckError | null;
    try {
      error = await checkProof(settings.lookup, domain.hostname, domain.challenge);
    } catch (cause) {
      if (cause instanceof AppError && cause.code === "UNAVAILABLE") {
        unanswered += 1;
        continue;
      }
      throw cause;
    }
    await store.transaction(async (tx) => {
      const now = nowIso();
      const { numUpdatedRows } = await verifiedDomains
        .recordCheck(tx, domain.id, now, error)
        .executeTakeFirst();
      if (error === null || numUpdatedRows === 0n) return;
      unverified.push(domain.id);
      await appendAudit(
        tx,
        { actor: SYSTEM_ACTOR, requestId: null, clientAddr: null },
        {
          action: "domain.unverified",
          orgId: domain.org_id,
          targetType: "domain",
          targetId: domain.id,
          details: { hostname: domain.hostname, reason: error },
        },
      );
    });
  }
  return { checked: due.length - unanswered, unverified, unanswered };
}
