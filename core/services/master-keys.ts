import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError } from "../errors.ts";
import { keyVersionOf } from "../secrets/envelope.ts";
import type { LiveKeyring } from "../secrets/live-keyring.ts";
import type { Db } from "../store/store.ts";
import type { ServiceContext } from "./context.ts";
import type { KeyRotation, RotationProgress } from "./key-rotation.ts";
import { SEALED_TABLE_SPECS } from "./sealed-tables.ts";

export interface MasterKeyVersionStatus {
  version: number;
  primary: boolean;
  /** Encryptions reserved in the store: an upper bound, never below those done. */
  encryptions: number;
  /** Stored values written under the version. */
  ciphertexts: number;
}

export interface MasterKeyStatus {
  primary: number;
  /** Where the keys come from, and whether rotation can add a version there by itself. */
  source: { description: string; writable: boolean };
  versions: MasterKeyVersionStatus[];
  /** Versions retired: no ciphertext uses them and they no longer decrypt. */
  retired: number[];
  /** Ciphertexts sealed under a version other than the primary: work a rotation has left. */
  pending: number;
  rotation: RotationProgress;
}

/** The master keys are the operator's; this keeps a partner out even if a role table slips. */
export function assertOperator(ctx: ServiceContext): void {
  if (ctx.actor.accountType !== "operator") {
    throw new AppError("FORBIDDEN", "the master keys are the operator's");
  }
}

/** Stored ciphertexts per key version over every sealed table, from the version column. */
export async function ciphertextsByVersion(db: Db): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const spec of SEALED_TABLE_SPECS) {
    for (const row of await spec.rows.countsByVersion(db).execute()) {
      const version = Number(row.key_version);
      counts.set(version, (counts.get(version) ?? 0) + Number(row.ciphertexts));
    }
  }
  return counts;
}

/** Ciphertexts sealed under any version but `primary`: what a rotation has left to do. */
export function pendingUnder(stored: ReadonlyMap<number, number>, primary: number): number {
  let pending = 0;
  for (const [version, n] of stored) if (version !== primary) pending += n;
  return pending;
}

/** Versions marked retired in the store; they stay out of the keyring on every start. */
export async function retiredVersions(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom("master_key_usage")
    .select("version")
    .where("retired_at", "is not", null)
    .execute();
  return rows.map((row) => Number(row.version));
}

/** The keyring's versions with their persisted counts and the rotation's progress. */
export async function masterKeyStatus(
  ctx: ServiceContext,
  keys: LiveKeyring,
  rotation: KeyRotation,
): Promise<MasterKeyStatus> {
  assertOperator(ctx);

  const keyring = keys.keyring;
  const rows = await ctx.store.db.selectFrom("master_key_usage").selectAll().execute();
  const counts = new Map(rows.map((row) => [Number(row.version), Number(row.encryptions)]));
  const stored = await ciphertextsByVersion(ctx.store.db);
  const pending = pendingUnder(stored, keyring.primary);
  return {
    primary: keyring.primary,
    source: { description: keys.description, writable: keys.writable },
    versions: keyring.versions().map((version) => ({
      version,
      primary: version === keyring.primary,
      encryptions: counts.get(version) ?? 0,
      ciphertexts: stored.get(version) ?? 0,
    })),
    retired: rows
      .filter((row) => row.retired_at !== null)
      .map((row) => Number(row.version))
      .sort((a, b) => a - b),
    pending,
    rotation: rotation.progress(),
  };
}

const SCAN_PAGE = 2000;

/**
 * Counts the ciphertexts under `version` by reading every stored value, not
 * the version column: retirement must not trust a summary of the data.
 * Yields between pages so the daemon keeps answering.
 */
async function ciphertextsUnder(db: Db, version: number): Promise<number> {
  let found = 0;
  for (const spec of SEALED_TABLE_SPECS) {
    let afterId = "";
    for (;;) {
      const page = await spec.rows.page(db, { afterId, limit: SCAN_PAGE }).execute();
      for (const row of page) {
        const values = Object.values(JSON.parse(row.secrets) as Record<string, unknown>);
        for (const value of values) {
          if (typeof value !== "string" || keyVersionOf(value) === version) found += 1;
        }
      }
      const last = page.at(-1);
      if (!last || page.length < SCAN_PAGE) break;
      afterId = last.id;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return found;
}

/**
 * Retires a version no ciphertext uses any more: it is marked in the store
 * (with an audit record), dropped from the daemon's keyring and, for a key
 * file, removed from the file. Refuses the primary, a version still in use,
 * and any version while a rotation runs.
 */
export async function retireMasterKey(
  ctx: ServiceContext,
  keys: LiveKeyring,
  rotation: KeyRotation,
  version: number,
): Promise<{ version: number; removedFromSource: boolean }> {
  assertOperator(ctx);

  const keyring = keys.keyring;
  if (!keyring.versions().includes(version)) {
    throw new AppError("NOT_FOUND", `master key version ${version} is not in the keyring`);
  }
  if (version === keyring.primary) {
    throw new AppError("CONFLICT", `version ${version} is the primary; rotate before retiring it`);
  }
  if (rotation.progress().state === "running") {
    throw new AppError("CONFLICT", "a rotation is running; retire once it has finished");
  }
  const inUse = await ciphertextsUnder(ctx.store.db, version);
  if (inUse > 0) {
    throw new AppError(
      "CONFLICT",
      `${inUse} stored ciphertexts still use version ${version}; ` +
        "run partneros master-key rotate until none is pending",
    );
  }

  await ctx.store.transaction(async (tx) => {
    await tx
      .insertInto("master_key_usage")
      .values({ version, encryptions: 0, retired_at: nowIso() })
      .onConflict((oc) => oc.column("version").doUpdateSet({ retired_at: nowIso() }))
      .execute();
    await appendAudit(tx, ctx, {
      action: "master_key.retired",
      orgId: ctx.actor.orgId,
      targetType: "master_key",
      targetId: String(version),
      details: { version, source: keys.description },
    });
  });
  const { removedFromSource } = await keys.retire(version);
  return { version, removedFromSource };
}
