import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A plaintext secret held in memory for the moment of use. Every way of
 * turning it into text — String(), template literals, JSON, util.inspect,
 * console, error messages — yields "[redacted]"; only `use` hands the value
 * to a callback.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** Runs `fn` with the plaintext; the value never leaves through the return type. */
  use<T>(fn: (plaintext: string) => T): T {
    return fn(this.#value);
  }

  /** Last characters for a masked display, only when the secret is long enough to spare them. */
  hint(visible: number): string {
    const shown = this.#value.length >= visible * 3 ? this.#value.slice(-visible) : "";
    return `••••${shown}`;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
