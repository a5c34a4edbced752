/** Counts failures per key in a fixed window and locks the key once it passes a limit. */
export class FailureThrottle {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { failures: number; windowStart: number }>();

  constructor(options: { limit: number; windowMs: number; now?: () => number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  isLocked(key: string): boolean {
    const entry = this.#current(key);
    return entry !== undefined && entry.failures >= this.#limit;
  }

  fail(key: string): void {
    const entry = this.#current(key);
    if (entry) entry.failures += 1;
    else {
      if (this.#entries.size >= 100_000) this.#evictExpired();
      this.#entries.set(key, { failures: 1, windowStart: this.#now() });
    }
  }

  clear(key: string): void {
    this.#entries.delete(key);
  }

  #current(key: string) {
    const entry = this.#entries.get(key);
    if (entry && this.#now() - entry.windowStart >= this.#windowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #evictExpired(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (now - entry.windowStart >= this.#windowMs) this.#entries.delete(key);
    }
  }
}
