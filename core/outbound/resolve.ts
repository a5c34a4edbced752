import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isAllowedAddress, type OutboundPolicy } from "./policy.ts";

/** An address checked against the policy, to connect to instead of the name. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolution =
  | { ok: true; target: CheckedAddress }
  | { ok: false; reason: "not_allowed" | "unresolved"; detail: string };

/**
 * Resolves `host` to every address it has and refuses it when any one is not
 * allowed: a name that also points inward is refused, whichever address a
 * connection would pick. The caller connects to the returned address only, so
 * a second lookup (DNS rebinding) cannot move the connection elsewhere.
 */
export async function resolveAllowed(
  policy: OutboundPolicy,
  host: string,
  timeoutMs: number,
): Promise<Resolution> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  let addresses: { address: string; family: number }[];
  try {
    addresses =
      isIP(bare) === 0
        ? await withDeadline(lookup(bare, { all: true, verbatim: true }), timeoutMs)
        : [{ address: bare, family: isIP(bare) }];
  } catch {
    return { ok: false, reason: "unresolved", detail: `could not resolve ${bare}` };
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: "unresolved", detail: `${bare} has no address` };
  const refused = addresses.find((a) => !isAllowedAddress(policy, a.address));
  if (refused) {
    const which = refused.address !== bare ? ` (${refused.address})` : "";
    return {
      ok: false,
      reason: "not_allowed",
      detail:
        `address not allowed: ${bare}${which} is not a public address; ` +
        "the operator can allow it with outboundAllow",
    };
  }
  return { ok: true, target: { address: first.address, family: first.family === 6 ? 6 : 4 } };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("lookup timed out")), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
