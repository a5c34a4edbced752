/**
 * Canary secrets and the one scanner that looks for them. A canary is a
 * secret nobody else uses, so any trace of it outside the place it was meant
 * to reach is a leak. The scanner looks for each canary in every form a leak
 * commonly takes and names the canary, the form and the spot it found.
 */
import { randomBytes } from "node:crypto";

export interface Canary {
  /** What the canary stands for, e.g. "the smtp password set through the CLI". */
  label: string;
  value: string;
}

/** One place a canary was found. */
export interface Trace {
  canary: string;
  encoding: string;
  where: string;
  offset: number;
  /** A few characters either side, control bytes escaped. */
  context: string;
}

/**
 * Characters that change under URL, form and case encodings; the runs of `~`
 * and `?` put a `+` and a `/` into the base64 at every alignment, so base64
 * and base64url differ too.
 */
const SPECIALS = "p@s/s+w=rd%~~~~~~??????";

/** A fresh canary: lower-case, ASCII, safe in a header and on a line of stdin. */
export function canary(label: string, name: string): Canary {
  return { label, value: `cnry-${name}-${randomBytes(9).toString("hex")}-${SPECIALS}` };
}

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");
const toUrlAlphabet = (text: string) => text.replaceAll("+", "-").replaceAll("/", "_");
const formEncoded = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);

/**
 * The base64 characters that only the secret's own bytes determine when it
 * sits `offset` bytes into a longer text (SASL PLAIN `\0user\0pass`, HTTP
 * Basic `id:secret`): whatever surrounds it, these are the same.
 */
function base64Core(value: string, offset: number): string {
  const bytes = Buffer.from(value, "utf8");
  const encoded = b64(Buffer.concat([Buffer.alloc(offset), bytes]));
  const start = Math.ceil((offset * 4) / 3);
  const end = Math.floor(((offset + bytes.length) * 4) / 3);
  return encoded.slice(start, end);
}

/** Every form of one value the scanner looks for; encodings that agree share one entry. */
export function encodingsOf(value: string): { encoding: string; form: string }[] {
  const hex = Buffer.from(value, "utf8").toString("hex");
  const url = encodeURIComponent(value);
  const candidates: [string, string][] = [
    ["raw", value],
    ["upper-case", value.toUpperCase()],
    ["lower-case", value.toLowerCase()],
    ["JSON-escaped", JSON.stringify(value).slice(1, -1)],
    ["JSON-escaped with \\/", JSON.stringify(value).slice(1, -1).replaceAll("/", "\\/")],
    ["URL-encoded", url],
    ["URL-encoded, lower-case escapes", url.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ["form-encoded", formEncoded(value)],
    ["hex", hex],
    ["hex, upper-case", hex.toUpperCase()],
  ];
  // HTTP Basic form-encodes before base64 (RFC 6749 §2.3.1), so both go in.
  for (const [source, inner] of [
    ["", value],
    [" of the form-encoded value", formEncoded(value)],
  ] as const) {
    for (const offset of [0, 1, 2]) {
      const core = base64Core(inner, offset);
      const at = `${source}${offset === 0 ? "" : ` at byte offset ${offset}`}`;
      candidates.push([`base64${at}`, core], [`base64url${at}`, toUrlAlphabet(core)]);
    }
  }
  const byForm = new Map<string, string[]>();
  for (const [encoding, form] of candidates)
    byForm.set(form, [...(byForm.get(form) ?? []), encoding]);
  return [...byForm].map(([form, encodings]) => ({ encoding: encodings.join(" = "), form }));
}

function contextAt(haystack: Buffer, offset: number, length: number): string {
  const from = Math.max(0, offset - 24);
  const to = Math.min(haystack.length, offset + length + 24);
  return JSON.stringify(haystack.subarray(from, to).toString("latin1"));
}

/** Every trace of every canary in `content`, each occurrence of each form once. */
export function scan(canaries: readonly Canary[], where: string, content: string | Buffer) {
  const haystack = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const traces: Trace[] = [];
  for (const { label, value } of canaries) {
    for (const { encoding, form } of encodingsOf(value)) {
      const needle = Buffer.from(form, "utf8");
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
        const context = contextAt(haystack, at, needle.length);
        traces.push({ canary: label, encoding, where, offset: at, context });
      }
    }
  }
  return traces;
}

/** One line per trace, for a failure message that says what leaked where. */
export function describeTraces(traces: readonly Trace[]): string {
  return traces
    .map((t) => `${t.canary} (${t.encoding}) in ${t.where} at ${t.offset}: ${t.context}`)
    .join("\n");
}

/** Everything a scenario produced that must hold no canary, by surface and origin. */
export class Evidence {
  readonly #pieces: { surface: string; where: string; content: string | Buffer }[] = [];

  add(surface: string, where: string, content: string | Buffer): void {
    this.#pieces.push({ surface, where, content });
  }

  /** The pieces of one surface, e.g. "the daemon log". */
  of(surface: string): { where: string; content: string | Buffer }[] {
    return this.#pieces.filter((piece) => piece.surface === surface);
  }

  scan(canaries: readonly Canary[], surface: string): Trace[] {
    return this.of(surface).flatMap((piece) => scan(canaries, piece.where, piece.content));
  }
}
