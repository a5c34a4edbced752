import { sanitizerFor } from "../credential-checks/sanitize.ts";
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
    maxBodyBytes: EXCERPT_BYTES,
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
    excerpt: excerptOf(body, post.secrets),
  };
}

function refused(outcome: AttemptOutcome, error: string, durationMs: number): AttemptResult {
  return { outcome, statusCode: null, durationMs, error, excerpt: null };
}

const CONTROL = /[\p{Cc}\p{Cf}]/gu;
const escaped = (char: string) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;

/**
 * What the receiver said, safe to store and show: every form of every
 * signing secret (the whole `whsec_…` text, its base64 key alone, the key in
 * hex) replaced by `[redacted]`, then control characters escaped. When
 * deleting control characters would reveal a secret a receiver split with
 * them, the deleted form is kept, redacted.
 */
export function excerptOf(body: Buffer, secrets: readonly Secret[]): string | null {
  if (body.length === 0) return null;
  const text = body.subarray(0, EXCERPT_BYTES).toString("utf8");
  const forms = secrets.flatMap((secret) =>
    secret.use((value) => {
      const key = value.startsWith(SECRET_PREFIX) ? value.slice(SECRET_PREFIX.length) : value;
      return [value, key, Buffer.from(key, "base64").toString("hex")];
    }),
  );
  const { redact } = sanitizerFor(forms, EXCERPT_BYTES);
  const once = redact(text);
  const joined = once.replace(CONTROL, "");
  const rejoined = redact(joined);
  return rejoined !== joined ? rejoined : once.replace(CONTROL, escaped);
}
