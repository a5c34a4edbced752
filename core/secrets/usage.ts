import { AppError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { BoundedCounter, type EncryptionCounter } from "./envelope.ts";

/** How many encryptions one write to the store reserves. */
export const RESERVATION_BLOCK = 1024;

interface Usage {
  /** Encryptions done (or counted as done) under the version. */
  used: number;
  /** What the store holds: always at least `used`. */
  reserved: number;
}

/**
 * An encryption counter whose counts survive restarts. The envelope's
 * `record` is synchronous, so it cannot wait for a write; instead counts are
 * reserved in blocks through the store by the async `reserve()`, which a
 * service awaits before each encryption, and `record` only spends what is
 * already on disk. A crash loses at most the unspent rest of a block, so the
 * stored count can run ahead of the encryptions done but never behind; a
 * `record` without a reservation fails closed.
 */
export class PersistedCounter implements EncryptionCounter {
  readonly #store: Store;
  readonly #limit: number;
  readonly #block: number;
  readonly #usage: Map<number, Usage>;
  // Reservations are serialized so two concurrent ones never write out of order.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: Store, counts: Map<number, number>, limit: number, block: number) {
    this.#store = store;
    this.#limit = limit;
    this.#block = block;
    this.#usage = new Map(
      [...counts].map(([version, n]) => [version, { used: n, reserved: n }] as const),
    );
  }

  /** Reads the stored counts; whatever was reserved before counts as spent. */
  static async load(
    store: Store,
    options: { limit?: number; block?: number } = {},
  ): Promise<PersistedCounter> {
    const rows = await store.db.selectFrom("master_key_usage").selectAll().execute();
    const counts = new Map(rows.map((row) => [Number(row.version), Number(row.encryptions)]));
    return new PersistedCounter(
      store,
      counts,
      options.limit ?? BoundedCounter.DEFAULT_LIMIT,
      options.block ?? RESERVATION_BLOCK,
    );
  }

  /** Makes sure at least `count` encryptions under `version` are reserved in the store. */
  reserve(version: number, count = 1): Promise<void> {
    const next = this.#queue.then(() => this.#reserveNow(version, count));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #reserveNow(version: number, count: number): Promise<void> {
    const usage = this.#usage.get(version) ?? { used: 0, reserved: 0 };
    if (usage.reserved - usage.used >= count) return;
    if (usage.used + count > this.#limit) throw exhausted(version);
    const reserved = Math.min(usage.used + Math.max(count, this.#block), this.#limit);
    await this.#store.db
      .insertInto("master_key_usage")
      .values({ version, encryptions: reserved })
      .onConflict((oc) =>
        oc.column("version").doUpdateSet((eb) => ({
          encryptions: eb.fn("max", [
            eb.ref("master_key_usage.encryptions"),
            eb.ref("excluded.encryptions"),
          ]),
        })),
      )
      .execute();
    this.#usage.set(version, { used: usage.used, reserved });
  }

  record(version: number): void {
    const usage = this.#usage.get(version);
    if (usage && usage.used >= this.#limit) throw exhausted(version);
    if (!usage || usage.used >= usage.reserved) {
      throw new AppError("INTERNAL", `no encryption reserved for master key version ${version}`);
    }
    usage.used += 1;
  }

  /** Encryptions counted under `version`, including any spent by a crash. */
  count(version: number): number {
    return this.#usage.get(version)?.used ?? 0;
  }
}

const exhausted = (version: number) =>
  new AppError(
    "UNAVAILABLE",
    `master key version ${version} has done its share of encryptions; rotate the master key`,
  );

const shared = new WeakMap<Store, Promise<PersistedCounter>>();

/**
 * The one counter of a store. Two counters over the same store would each
 * spend their own reservation and together under-count, so every service
 * takes this one.
 */
export function sharedCounter(store: Store): Promise<PersistedCounter> {
  let counter = shared.get(store);
  if (!counter) {
    counter = PersistedCounter.load(store);
    // A failed load is not cached: the next caller tries again.
    counter.catch(() => shared.delete(store));
    shared.set(store, counter);
  }
  return counter;
}
