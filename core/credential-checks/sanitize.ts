/** Characters of peer text kept in a detail. */
export const PEER_TEXT_LIMIT = 200;
const REDACTED = "[redacted]";
/** Below this, an encoded fragment could match ordinary text; the full forms still apply. */
const MIN_FRAGMENT = 8;

/** Makes text safe to log, audit and return for one credential. */
export interface Sanitizer {
  /** What a peer said: redacted, without control characters, cut to the limit. */
  peer(text: string): string;
  /** Our own text (which may quote settings): every secret form redacted, nothing cut. */
  redact(text: string): string;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const form = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);

/**
 * The forms a secret can come back in: raw, base64 and base64url, URL- and
 * form-encoded, and the base64 core it has inside any longer base64 text (at
 * each of the three byte alignments), which covers SASL PLAIN's
 * `base64(\0user\0pass)` and LOGIN's `base64(pass)` whatever surrounds it.
 */
export function secretForms(secret: string): string[] {
  if (secret.length === 0) return [];
  const forms = [secret, b64(secret), b64url(secret), encodeURIComponent(secret), form(secret)];
  for (const pad of ["", "\0", "\0\0"]) {
    // Characters touched by the padding or by the end are left out: only the
    // ones fully determined by the secret's own bytes are the same everywhere.
    const encoded = b64(pad + secret).replace(/=+$/, "");
    const start = Math.ceil((pad.length * 4) / 3);
    const end = Math.floor(((pad.length + Buffer.byteLength(secret)) * 4) / 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_FRAGMENT)
      forms.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return forms;
}

const CONTROL = /[\p{Cc}\p{Cf}]+/gu;

/**
 * A sanitizer for peer text: every form of every given secret becomes
 * `[redacted]`, control and format characters go, and the result is cut to
 * `limit` characters. Control characters become spaces, unless deleting them
 * reveals a secret a peer split with one; then they are deleted. Compound
 * forms (SASL PLAIN of user and password, HTTP Basic of id and secret) are
 * passed in as further secrets.
 */
export function sanitizerFor(secrets: readonly string[], limit = PEER_TEXT_LIMIT): Sanitizer {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const redact = (text: string) =>
    forms.reduce((out, form) => replaceAllInsensitive(out, form), text);
  const peer = (text: string) => {
    const once = redact(text);
    const joined = once.replace(CONTROL, "");
    const rejoined = redact(joined);
    const flat = (rejoined !== joined ? rejoined : redact(once.replace(CONTROL, " ")))
      .replace(/\s+/g, " ")
      .trim();
    const chars = Array.from(flat);
    return chars.length > limit ? `${chars.slice(0, limit).join("")}…` : flat;
  };
  return { peer, redact };
}

/** Base64 is case-sensitive, but a peer may upper-case a password or a %-escape. */
function replaceAllInsensitive(text: string, form: string): string {
  const pattern = new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
  return text.replace(pattern, REDACTED);
}
