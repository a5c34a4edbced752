import { guardedRequest } from "../outbound/http.ts";
import type { OutboundPolicy } from "../outbound/policy.ts";
import type { Resolver } from "../outbound/resolve.ts";
import type { Secret } from "../secrets/secret.ts";
import { SECRET_PREFIX, webhookHeaders } from "./signature.ts";

/** How one attempt ended; stored in `webhook_attempts.outcome`. */
export type AttemptOutcome =
  | "succeeded"
  | "gone"
  | "failed"
  | "timeout"
  | "not_allowed"
  | "unresolved"
  | "unreachable";

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  durationMs: number;
  /** A short code: `http_503`, `ECONNREFUSED`, `TIMEOUT`, `NOT_ALLOWED`; null on success. */
  error: string | null;
  /** The start of the receiver's answer, every form of the signing secrets removed. */
  excerpt: string | null;
}

export const EXCERPT_BYTES = 500;
export const USER_AGENT = "PartnerOS-Webhooks/1";

export interface SignedPost {
  url: string;
  messageId: string;
  /** The stored payload, sent and signed byte for byte. */
  body: string;
  secrets: readonly Secret[];
  /** Every secret the endpoint holds, the expired previous one too: kept out of the excerpt. */
  redact?: readonly Secret[];
  /** The attempt's time: its seconds are the `webhook-timestamp`. */
  at: Date;
  timeoutMs: number;
  outbound: OutboundPolicy;
  resolve?: Resolver;
}

/**
 * POSTs one message, signed with every secret given, through the outbound
 * guard (resolve, check every address, connect to the checked one, no
 * redirects), and says how it went. Never throws for the receiver's sake.
 */
export async function postSigned(post: SignedPost): Promise<AttemptResult> {
  const timestamp = Math.floor(post.at.getTime() / 1000);
  const headers = {
    ...webhookHeaders(post.secrets, post.messageId, timestamp, post.body),
    "content-type": "application/json",
    "user-agent": USER_AGENT,
  };
  let url: URL;
  try {
    url = new URL(post.url);
  } catch {
    return refused("not_allowed", "BAD_URL", 0);
  }
  const started = performance.now();
  const answer = await guardedRequest(post.outbound, {
    method: "POST",
    url,
    headers,
    body: post.body,
    timeoutMs: post.timeoutMs,
    maxBodyBytes: READ_BYTES,
    ...(post.resolve ? { resolve: post.resolve } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
  if (!answer.ok) {
    if (answer.reason === "not_allowed" || answer.reason === "failed") {
      // The validator's own reason when it gave one: PRIVATE_ADDRESS, HTTPS_REQUIRED...
      const why = (answer as { refusal?: string }).refusal ?? "not_allowed";
      return refused("not_allowed", why.toUpperCase(), durationMs);
    }
    if (answer.reason === "unresolved") return refused("unresolved", "DNS_FAILED", durationMs);
    const code = /\(([^)]+)\)$/.exec(answer.detail)?.[1] ?? "error";
    const timedOut = code === "timed out" || durationMs >= post.timeoutMs;
    return timedOut
      ? refused("timeout", "TIMEOUT", durationMs)
      : refused("unreachable", code.toUpperCase().replace(/[^A-Z0-9_]/g, "_"), durationMs);
  }
  const { status, body } = answer.response;
  const outcome: AttemptOutcome =
    status >= 200 && status < 300 ? "succeeded" : status === 410 ? "gone" : "failed";
  return {
    outcome,
    statusCode: status,
    durationMs,
    error: outcome === "succeeded" ? null : `http_${status}`,
    excerpt: excerptOf(body, post.redact ?? post.secrets),
  };
}

function refused(outcome: AttemptOutcome, error: string, durationMs: number): AttemptResult {
  return { outcome, statusCode: null, durationMs, error, excerpt: null };
}

const CONTROL = /[\p{Cc}\p{Cf}]/gu;
const escaped = (char: string) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;

/** Bytes read past the excerpt, so a secret that straddles its end is still seen whole. */
const LOOKAHEAD_BYTES = 256;
/**
 * Characters a run must share with a secret form to be redacted. Twelve of
 * random base64 are 72 bits: no answer matches them by chance, and what is
 * left of a key beside a redacted run is too short to guess from.
 */
const WINDOW = 12;
/** Base64 (either alphabet), hex, `whsec_`, JSON's `\/`, %-escapes: what a key is written in. */
const KEY_RUN = /[A-Za-z0-9+/_=%\\-]+/g;
const REDACTED = "[redacted]";

/** Every WINDOW-long piece of every written form of the keys, in lower case. */
function keyWindows(secrets: readonly Secret[]): Set<string> {
  const windows = new Set<string>();
  for (const secret of secrets) {
    secret.use((value) => {
      const key = Buffer.from(value.slice(SECRET_PREFIX.length), "base64");
      const forms = [value, key.toString("base64"), key.toString("base64url"), key.toString("hex")];
      for (const form of forms) {
        const bare = form.replace(/=+$/, "").toLowerCase();
        for (let i = 0; i + WINDOW <= bare.length; i++) windows.add(bare.slice(i, i + WINDOW));
      }
    });
  }
  return windows;
}

function redactRuns(text: string, windows: ReadonlySet<string>): string {
  return text.replace(KEY_RUN, (run) => {
    const bare = run
      .replace(/%2b/gi, "+")
      .replace(/%2f/gi, "/")
      .replace(/%3d/gi, "=")
      .replaceAll("\\", "")
      .toLowerCase();
    for (let i = 0; i + WINDOW <= bare.length; i++) {
      if (windows.has(bare.slice(i, i + WINDOW))) return REDACTED;
    }
    // Any other endpoint's secret too: nothing shaped like one is kept.
    return /whsec_[a-z0-9+/_-]{16}/.test(bare) ? REDACTED : run;
  });
}

/** How many bytes of an answer an attempt reads: the excerpt and its look-ahead. */
export const READ_BYTES = EXCERPT_BYTES + LOOKAHEAD_BYTES;

/**
 * What the receiver said, safe to store and show to every reader of the
 * endpoint. Any run of key characters sharing 12 with a form of a signing
 * secret (the `whsec_` text, its key in base64 of either alphabet, padded or
 * not, or in hex, in any case, JSON- or %-escaped or not) becomes `[redacted]`,
 * also when a receiver split it with control characters; control characters
 * are then escaped. The whole read, look-ahead included, is redacted before
 * the excerpt is cut, and a run the read itself cut short is dropped, so no
 * piece of a key survives at either end.
 */
export function excerptOf(body: Buffer, secrets: readonly Secret[]): string | null {
  if (body.length === 0) return null;
  const windows = keyWindows(secrets);
  let text = body.subarray(0, READ_BYTES).toString("utf8");
  if (body.length >= READ_BYTES) text = text.replace(/[A-Za-z0-9+/_=%\\-]*$/, "");
  const once = redactRuns(text, windows);
  const joined = redactRuns(once.replace(CONTROL, ""), windows);
  const safe = joined !== once.replace(CONTROL, "") ? joined : once.replace(CONTROL, escaped);
  return Array.from(safe).slice(0, EXCERPT_BYTES).join("");
}
