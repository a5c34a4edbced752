import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError } from "../errors.ts";
import { decryptSecret, type EncryptionCounter, encryptSecret } from "../secrets/envelope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { LiveKeyring } from "../secrets/live-keyring.ts";
import { sharedCounter } from "../secrets/usage.ts";
import type { Store } from "../store/store.ts";
import type { ServiceContext } from "./context.ts";
import { assertOperator, ciphertextsByVersion, pendingUnder } from "./master-keys.ts";
import { SEALED_TABLE_SPECS, type SealedRow, type SealedTableSpec } from "./sealed-tables.ts";

export type RotationState = "idle" | "running" | "done" | "stopped" | "failed";

export interface RotationProgress {
  state: RotationState;
  /** The primary every ciphertext is being re-sealed under. */
  toVersion: number | null;
  /** Whether this run made the new version, or finished one an earlier run started. */
  resumed: boolean;
  /** Rows re-sealed by this run so far. */
  resealed: number;
  /** Sealed rows (credentials, webhook endpoints) that failed their integrity check, left as is. */
  failed: string[];
  startedAt: string | null;
  finishedAt: string | null;
}

/** Rows re-sealed per transaction: short enough that requests wait at most one batch. */
export const DEFAULT_BATCH = 50;

const idle = (): RotationProgress => ({
  state: "idle",
  toVersion: null,
  resumed: false,
  resealed: 0,
  failed: [],
  startedAt: null,
  finishedAt: null,
});

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Re-seals every stored secret under the current primary, in batches, while
 * the daemon keeps serving. Nothing of its progress needs saving: the work
 * left is exactly the ciphertexts under another version, read from the store,
 * so a run killed at any point is finished by the next `start`. A batch
 * decrypts and re-encrypts inside one transaction, so a row is always sealed
 * whole under one version that the keyring holds.
 */
export class KeyRotation {
  readonly #store: Store;
  readonly #keys: LiveKeyring;
  readonly #batch: number;
  #progress: RotationProgress = idle();
  #running: Promise<void> | undefined;
  #starting: Promise<RotationProgress> | undefined;
  #stopRequested = false;

  constructor(store: Store, keys: LiveKeyring, options: { batchSize?: number } = {}) {
    this.#store = store;
    this.#keys = keys;
    this.#batch = options.batchSize ?? DEFAULT_BATCH;
  }

  progress(): RotationProgress {
    return { ...this.#progress, failed: [...this.#progress.failed] };
  }

  /**
   * Starts a rotation in the background and answers at once. When ciphertexts
   * under an older version remain (an earlier run was stopped or killed), it
   * finishes re-sealing them under the current primary; otherwise it first
   * makes a new primary. A rotation already running is reported, not doubled.
   */
  start(ctx: ServiceContext): Promise<RotationProgress> {
    assertOperator(ctx);
    if (this.#running) return Promise.resolve(this.progress());
    // Two calls at once would both make a version: the second waits for the first.
    this.#starting ??= this.#begin(ctx).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #begin(ctx: ServiceContext): Promise<RotationProgress> {
    const pending = await this.#pending();
    const resumed = pending > 0;
    const started = resumed ? { primary: this.#keys.keyring.primary } : await this.#keys.advance();
    await this.#store.transaction((tx) =>
      appendAudit(tx, ctx, {
        action: "master_key.rotation_started",
        orgId: ctx.actor.orgId,
        targetType: "master_key",
        targetId: String(started.primary),
        details: { toVersion: started.primary, resumed, pending },
      }),
    );
    this.#progress = {
      ...idle(),
      state: "running",
      toVersion: started.primary,
      resumed,
      startedAt: nowIso(),
    };
    this.#stopRequested = false;
    this.#running = this.#run(ctx).finally(() => {
      this.#running = undefined;
    });
    return this.progress();
  }

  /** Resolves when the running rotation, if any, has ended. */
  async settled(): Promise<RotationProgress> {
    await this.#running;
    return this.progress();
  }

  /** Lets the batch in hand finish, then stops; the next `start` carries on from there. */
  async stop(): Promise<void> {
    this.#stopRequested = true;
    await this.#running;
  }

  async #pending(): Promise<number> {
    return pendingUnder(await ciphertextsByVersion(this.#store.db), this.#keys.keyring.primary);
  }

  async #run(ctx: ServiceContext): Promise<void> {
    try {
      // Passes repeat until one finds nothing left to re-seal: a write that
      // sealed under the old primary just before the switch is caught here.
      for (;;) {
        const resealed = await this.#pass();
        if (this.#stopRequested || resealed === 0) break;
      }
      const failed = this.#progress.failed;
      this.#progress.state = this.#stopRequested ? "stopped" : failed.length ? "failed" : "done";
    } catch (error) {
      this.#progress.state = "failed";
      this.#progress.finishedAt = nowIso();
      await this.#audit(ctx, "master_key.rotation_failed", {
        code: error instanceof AppError ? error.code : "INTERNAL",
      }).catch(() => undefined);
      return;
    }
    this.#progress.finishedAt = nowIso();
    const { state, resealed, failed, toVersion } = this.#progress;
    await this.#audit(
      ctx,
      state === "failed" ? "master_key.rotation_failed" : "master_key.rotated",
      { toVersion, resealed, state, failed },
    ).catch(() => undefined);
  }

  #audit(
    ctx: ServiceContext,
    action: "master_key.rotated" | "master_key.rotation_failed",
    details: Record<string, string | number | null | readonly string[]>,
  ): Promise<void> {
    return this.#store.transaction((tx) =>
      appendAudit(tx, ctx, {
        action,
        orgId: ctx.actor.orgId,
        targetType: "master_key",
        targetId: String(this.#progress.toVersion),
        details,
      }),
    );
  }

  /** One walk over every sealed table's rows by id; answers how many it re-sealed. */
  async #pass(): Promise<number> {
    let resealed = 0;
    for (const spec of SEALED_TABLE_SPECS) {
      if (this.#stopRequested) break;
      resealed += await this.#passOver(spec);
    }
    return resealed;
  }

  async #passOver(spec: SealedTableSpec): Promise<number> {
    const counter = await sharedCounter(this.#store);
    let afterId = "";
    let resealed = 0;
    while (!this.#stopRequested) {
      const keyring = this.#keys.keyring;
      await counter.reserve(keyring.primary, this.#batch * spec.maxFields);
      const batch = await this.#store.transaction(async (tx) => {
        const rows = await spec.rows
          .page(tx, { afterId, limit: this.#batch, notUnder: keyring.primary })
          .execute();
        const updated: { id: string; secrets: string }[] = [];
        for (const row of rows) {
          if (this.#progress.failed.includes(row.id)) continue;
          const secrets = this.#reseal(keyring, counter, spec, row);
          if (secrets === undefined) this.#progress.failed.push(row.id);
          else updated.push({ id: row.id, secrets });
        }
        if (updated.length > 0) {
          await spec.rows.reseal(tx, keyring.primary, updated).execute();
        }
        return { last: rows.at(-1)?.id, read: rows.length, updated: updated.length };
      });
      resealed += batch.updated;
      this.#progress.resealed += batch.updated;
      if (!batch.last || batch.read < this.#batch) break;
      afterId = batch.last;
      await nextTick();
    }
    return resealed;
  }

  /** The row's secrets re-sealed under the primary, or undefined when they fail to open. */
  #reseal(
    keyring: Keyring,
    counter: EncryptionCounter,
    spec: SealedTableSpec,
    row: SealedRow,
  ): string | undefined {
    try {
      const stored = JSON.parse(row.secrets) as Record<string, string>;
      const sealed: Record<string, string> = {};
      for (const [field, value] of Object.entries(stored)) {
        const binding = spec.binding(row, field);
        sealed[field] = encryptSecret(
          keyring,
          counter,
          binding,
          decryptSecret(keyring, binding, value),
        );
      }
      return JSON.stringify(sealed);
    } catch (error) {
      if (error instanceof AppError && error.code === "INTEGRITY_FAILED") return undefined;
      throw error;
    }
  }
}
