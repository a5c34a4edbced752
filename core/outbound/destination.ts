import { isIP } from "node:net";
import {
  isAllowedAddress,
  isAllowedHostName,
  isInAllowedRange,
  type OutboundPolicy,
} from "./policy.ts";
import { type CheckedAddress, type Resolver, resolveAllowed } from "./resolve.ts";

/** Why a destination was refused: stable codes that tests and callers may rely on. */
export const REFUSAL_REASONS = [
  /** Not an absolute http(s) URL, too long, or written with spaces, controls or backslashes. */
  "invalid_url",
  /** A scheme other than https and http. */
  "scheme_not_allowed",
  /** `user:pass@` before the host: credentials have no place in a destination. */
  "userinfo",
  /** An empty host, or a name with a trailing dot (the one spelling has none). */
  "invalid_host",
  /** Plain http to a host the operator did not allow. */
  "https_required",
  /** The host is, or resolves to, an address outside the public internet and the allow-list. */
  "private_address",
  /** The name did not resolve (in time): DNS trouble fails closed. */
  "unresolved",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type DestinationCheck =
  | { ok: true; url: URL; target: CheckedAddress }
  | { ok: false; reason: RefusalReason; detail: string };

export type UrlCheck =
  | { ok: true; url: URL }
  | { ok: false; reason: RefusalReason; detail: string };

export interface DestinationOptions {
  /** How names are resolved; the system's resolver by default. */
  resolve?: Resolver;
  /** How long a lookup may take before the destination is refused. */
  timeoutMs?: number;
}

export const MAX_URL_LENGTH = 2048;
const DEFAULT_LOOKUP_MS = 5000;

/** WHATWG parsing quietly drops tabs and newlines and reads `\` as `/`: refuse them instead. */
function hasUnsafeText(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || char === "\\" || /\s/u.test(char)) return true;
  }
  return false;
}

const refuse = (reason: RefusalReason, detail: string) => ({ ok: false as const, reason, detail });

/**
 * The one outbound validator: the URL's shape, its scheme, and every address
 * its host has. Registration, test-sends and every delivery call it (the last
 * through `guardedRequest`), so the answer cannot differ between them. On
 * success `target` is the checked address the connection must go to.
 */
export async function checkDestination(
  policy: OutboundPolicy,
  raw: string | URL,
  options: DestinationOptions = {},
): Promise<DestinationCheck> {
  const shape = checkUrl(policy, raw);
  if (!shape.ok) return shape;
  const { url } = shape;

  const resolved = await resolveAllowed(
    policy,
    url.hostname,
    options.timeoutMs ?? DEFAULT_LOOKUP_MS,
    options.resolve,
  );
  if (!resolved.ok) {
    const reason = resolved.reason === "unresolved" ? "unresolved" : "private_address";
    return refuse(reason, resolved.detail);
  }
  return { ok: true, url, target: resolved.target };
}

/**
 * The checks that need no DNS: an absolute http(s) URL without userinfo or a
 * trailing dot, and https unless the operator allowed the host by name or, for
 * an IP literal, by range. A literal's address is judged here too, so
 * `http://10.0.0.1` is refused for its address rather than its scheme.
 */
export function checkUrl(policy: OutboundPolicy, raw: string | URL): UrlCheck {
  const text = typeof raw === "string" ? raw : raw.href;
  if (text.length > MAX_URL_LENGTH || hasUnsafeText(text) || !/^https?:\/\//i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^https?:/i.test(text)) {
      return refuse("scheme_not_allowed", "only https (or http to allowed hosts) URLs");
    }
    return refuse("invalid_url", "not an absolute http(s) URL");
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("invalid_url", "not an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return refuse("scheme_not_allowed", "only https (or http to allowed hosts) URLs");
  }
  const authority = text.slice(text.indexOf("//") + 2).split(/[/?#]/, 1)[0] ?? "";
  if (url.username !== "" || url.password !== "" || authority.includes("@")) {
    return refuse("userinfo", "a URL with user:password@ is not accepted");
  }
  const host = url.hostname;
  if (host === "" || host.endsWith(".")) {
    return refuse("invalid_host", "the host must be a name without a trailing dot or an address");
  }

  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const literal = isIP(bare) !== 0;
  if (literal && !isAllowedAddress(policy, bare)) {
    return refuse(
      "private_address",
      `address not allowed: ${bare} is not a public address; ` +
        "the operator can allow it with outboundAllow",
    );
  }
  if (url.protocol === "http:") {
    const allowed = literal ? isInAllowedRange(policy, bare) : isAllowedHostName(policy, host);
    if (!allowed) {
      return refuse("https_required", "https is required; plain http only to allowed hosts");
    }
  }
  return { ok: true, url };
}
