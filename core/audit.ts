import { createHash } from "node:crypto";
import type { Actor } from "./actor.ts";
import { nowIso } from "./clock.ts";
import { newId } from "./ids.ts";
import type { AuditTable } from "./store/schema.ts";
import type { Db, Tx } from "./store/store.ts";

/** Every audit action, `resource.past_tense`, from one list. */
export const AUDIT_ACTIONS = [
  "org.initialized",
  "tenant.created",
  "tenant.suspended",
  "tenant.resumed",
  "user.invited",
  "user.joined",
  "user.role_changed",
  "user.removed",
  "session.created",
  "session.revoked",
  "key.created",
  "key.revoked",
  "key.rotated",
  "product.created",
  "product.updated",
  "customer.created",
  "customer.updated",
  "customer.deleted",
  "deal.created",
  "deal.updated",
  "deal.deleted",
  "partner_data.accessed",
  "cross_partner.queried",
  "cross_partner.failed",
  "credential.set",
  "credential.deleted",
  "credential.tested",
  "master_key.rotation_started",
  "master_key.rotated",
  "master_key.rotation_failed",
  "master_key.retired",
  "domain.added",
  "domain.verified",
  "domain.unverified",
  "domain.removed",
  "branding.updated",
  "events.ingested",
  "webhook.created",
  "webhook.updated",
  "webhook.deleted",
  "webhook.secret_rotated",
  "webhook.disabled",
  "webhook.tested",
  "webhook.replayed",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The daemon itself, acting on a timer rather than for a request (a domain re-check). */
export const SYSTEM_ACTOR = { kind: "system", id: "partnerosd", orgId: null } as const;

/** Where a change came from: the actor plus the request that carried it. */
export interface AuditContext {
  readonly actor: Pick<Actor, "kind" | "id" | "orgId"> | typeof SYSTEM_ACTOR;
  readonly requestId: string | null;
  readonly clientAddr: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  /** The org whose data changed. */
  orgId: string | null;
  targetType: string;
  targetId: string | null;
  /** Non-secret facts only: ids, roles, names, counts. Never a token or password. */
  details?: Record<string, string | number | boolean | null | readonly string[]>;
}

export const GENESIS_HASH = "0".repeat(64);

type AuditRow = Omit<AuditTable, "seq"> & { seq: number };

function recordHash(row: Omit<AuditRow, "hash">): string {
  const canonical = JSON.stringify([
    row.seq,
    row.id,
    row.at,
    row.actor_kind,
    row.actor_id,
    row.actor_org_id,
    row.org_id,
    row.action,
    row.target_type,
    row.target_id,
    row.request_id,
    row.client_addr,
    row.details,
    row.prev_hash,
  ]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

/**
 * Appends one record, chained to the one before it. Call it inside the
 * transaction that makes the change, so the record and the change land together.
 */
export async function appendAudit(tx: Tx, context: AuditContext, entry: AuditEntry): Promise<void> {
  const last = await tx
    .selectFrom("audit_log")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const row: Omit<AuditRow, "hash"> = {
    seq: (last?.seq ?? 0) + 1,
    id: newId("audit"),
    at: nowIso(),
    actor_kind: context.actor.kind,
    actor_id: context.actor.id,
    actor_org_id: context.actor.orgId,
    org_id: entry.orgId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    request_id: context.requestId,
    client_addr: context.clientAddr,
    details: JSON.stringify(entry.details ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  await tx
    .insertInto("audit_log")
    .values({ ...row, hash: recordHash(row) })
    .execute();
}

export type AuditVerification =
  | { ok: true; records: number; headHash: string }
  | {
      ok: false;
      records: number;
      firstBadSeq: number;
      firstBadId: string | null;
      problem: "altered" | "removed";
    };

/**
 * Walks the chain from the first record. Names the first record whose content
 * no longer matches its hash ("altered") or whose predecessor is gone ("removed").
 */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let records = 0;
  for (;;) {
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">=", expectedSeq)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return { ok: true, records, headHash: prevHash };
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          records,
          firstBadSeq: expectedSeq,
          firstBadId: null,
          problem: "removed",
        };
      }
      const { hash, ...rest } = row;
      if (recordHash(rest) !== hash) {
        return { ok: false, records, firstBadSeq: row.seq, firstBadId: row.id, problem: "altered" };
      }
      if (row.prev_hash !== prevHash) {
        return { ok: false, records, firstBadSeq: row.seq, firstBadId: row.id, problem: "removed" };
      }
      records += 1;
      prevHash = hash;
      expectedSeq += 1;
    }
  }
}
