import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isAllowedAddress, isAllowedHostName, type OutboundPolicy } from "./policy.ts";

/** An address checked against the policy, to connect to instead of the name. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a name has. The daemon passes the system's; tests inject their own. */
export type Resolver = (host: string) => Promise<readonly { address: string; family: number }[]>;

/** The operating system's resolver (getaddrinfo), every address in its own order. */
export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export type Resolution =
  | { ok: true; target: CheckedAddress }
  | { ok: false; reason: "not_allowed" | "unresolved"; detail: string };

// RFC 6761: `localhost` and the names below it are loopback, whatever a DNS server says.
const LOOPBACK_NAME = /(^|\.)localhost\.?$/i;
const LOOPBACK = [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
] as const;

/**
 * Resolves `host` to every address it has and refuses it when any one is not
 * allowed: a name that also points inward is refused, whichever address a
 * connection would pick. A host the operator named in the policy is admitted
 * whatever it resolves to. The caller connects to the returned address only,
 * so a second lookup (DNS rebinding) cannot move the connection elsewhere.
 * Any lookup failure or timeout refuses: DNS trouble never opens a door.
 */
export async function resolveAllowed(
  policy: OutboundPolicy,
  host: string,
  timeoutMs: number,
  resolver: Resolver = systemResolver,
): Promise<Resolution> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  let addresses: readonly { address: string; family: number }[];
  try {
    if (isIP(bare) !== 0) addresses = [{ address: bare, family: isIP(bare) }];
    else if (LOOPBACK_NAME.test(bare)) addresses = LOOPBACK;
    else addresses = await withDeadline(resolver(bare), timeoutMs);
  } catch {
    return { ok: false, reason: "unresolved", detail: `could not resolve ${bare}` };
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: "unresolved", detail: `${bare} has no address` };
  const named = isIP(bare) === 0 && isAllowedHostName(policy, bare);
  const refused = named ? undefined : addresses.find((a) => !isAllowedAddress(policy, a.address));
  if (refused) {
    // The address it resolved to is not named: a partner must not learn the
    // inside of the operator's network by registering names.
    return {
      ok: false,
      reason: "not_allowed",
      detail:
        `address not allowed: ${bare} is not, or does not resolve only to, public addresses; ` +
        "the operator can allow it with outboundAllow",
    };
  }
  const family = isIP(first.address);
  if (family === 0) return { ok: false, reason: "unresolved", detail: `${bare} has no address` };
  return { ok: true, target: { address: first.address, family: family === 6 ? 6 : 4 } };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("lookup timed out")), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
