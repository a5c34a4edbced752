import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import ipaddr from "ipaddr.js";
import { AppError } from "../errors.ts";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Where the daemon may open connections on a partner's behalf. Only global
 * unicast addresses by default; `allow` adds the operator's own ranges, and
 * `hosts` the operator's own named targets (admitted whatever they resolve
 * to, and over plain http).
 */
export interface OutboundPolicy {
  readonly allow: readonly (readonly [Address, number])[];
  readonly hosts: ReadonlySet<string>;
}

export const DEFAULT_OUTBOUND: OutboundPolicy = { allow: [], hosts: new Set() };

/**
 * Parses operator allowances into a policy: IP addresses and CIDR ranges
 * (`127.0.0.1`, `10.0.0.0/8`, `fd00::/8`), normalised to `address/prefix`,
 * and host names (`hooks.corp.internal`), normalised to lower-case ASCII
 * without a trailing dot. No wildcards. A bad entry throws CONFIG_INVALID
 * naming it.
 */
export function outboundPolicy(entries: readonly string[]): OutboundPolicy {
  const allow: (readonly [Address, number])[] = [];
  const hosts = new Set<string>();
  for (const entry of entries) {
    const text = entry.trim();
    const host = looksLikeAddress(text) ? undefined : allowedHostName(text);
    if (host === undefined) allow.push(parseRange(text));
    else hosts.add(host);
  }
  return { allow, hosts };
}

/** `127.0.0.1/32`, `10.0.0.0/8`, then named hosts: what a policy allows, as read back. */
export function describeAllowance(policy: OutboundPolicy): string[] {
  return [
    ...policy.allow.map(([address, prefix]) => `${address.toString()}/${prefix}`),
    ...policy.hosts,
  ];
}

/** Whether `hostname` (as a URL spells it: lower case, punycode) is an allowed named target. */
export function isAllowedHostName(policy: OutboundPolicy, hostname: string): boolean {
  return policy.hosts.has(hostname.toLowerCase());
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// A last label of digits or hex is how IPv4 addresses are written (`10.1`, `0x7f.1`):
// such an entry is a mistyped address, never a name.
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)$/i;

function looksLikeAddress(text: string): boolean {
  return text.includes(":") || text.includes("/") || NUMERIC_LAST_LABEL.test(text);
}

/** The one spelling of a named allowance, or undefined when the entry is no host name. */
function allowedHostName(text: string): string | undefined {
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(text)) return undefined;
  const ascii = domainToASCII(text.toLowerCase().replace(/\.$/, ""));
  if (ascii === "" || ascii.length > 253 || !ascii.split(".").every((l) => LABEL.test(l))) {
    return undefined;
  }
  return ascii;
}

function parseRange(text: string): readonly [Address, number] {
  const [address = "", prefix, extra] = text.split("/");
  // net.isIP accepts only the dotted-quad and standard IPv6 forms, not `10.1` or `0x7f.1`.
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const length = prefix === undefined ? bits : Number(prefix);
  if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(prefix ?? "0") || length > bits) {
    throw new AppError(
      "CONFIG_INVALID",
      `outboundAllow: ${JSON.stringify(text)} is not an IP address, CIDR range or host name`,
    );
  }
  const parsed = ipaddr.parse(address);
  // A mapped IPv4 range is kept as the IPv4 range it names, as addresses are compared that way.
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && length >= 96) {
    return [(parsed as ipaddr.IPv6).toIPv4Address(), length - 96];
  }
  return [parsed, length];
}

/**
 * Whether a connection to `address` is allowed: a global unicast address, or
 * one inside an allowance. An IPv4-mapped IPv6 address counts as its IPv4 one,
 * so `::ffff:127.0.0.1` is loopback. ipaddr.js classes loopback, RFC 1918,
 * link-local, CGNAT, unique-local, unspecified, multicast, broadcast and the
 * reserved and translation ranges (NAT64, 6to4, Teredo) as not unicast.
 */
export function isAllowedAddress(policy: OutboundPolicy, address: string): boolean {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() === "unicast" && !isDeprecatedForm(parsed)) return true;
  return policy.allow.some(([range, prefix]) => inRange(parsed, range, prefix));
}

/**
 * Whether `address` lies inside one of the operator's ranges (public or not).
 * Only such literals may be reached over plain http.
 */
export function isInAllowedRange(policy: OutboundPolicy, address: string): boolean {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return false;
  const parsed = ipaddr.process(address);
  return policy.allow.some(([range, prefix]) => inRange(parsed, range, prefix));
}

// Forms ipaddr.js calls unicast that no host should be reached by: the
// IPv4-compatible addresses (::/96, which some stacks route to the IPv4 one)
// and the abandoned site-local range.
const DEPRECATED: readonly (readonly [ipaddr.IPv6, number])[] = [
  [ipaddr.IPv6.parse("::"), 96],
  [ipaddr.IPv6.parse("fec0::"), 10],
];

function isDeprecatedForm(address: Address): boolean {
  return DEPRECATED.some(([range, prefix]) => inRange(address, range, prefix));
}

function inRange(address: Address, range: Address, prefix: number): boolean {
  if (address.kind() === "ipv4" && range.kind() === "ipv4") {
    return (address as ipaddr.IPv4).match(range as ipaddr.IPv4, prefix);
  }
  if (address.kind() === "ipv6" && range.kind() === "ipv6") {
    return (address as ipaddr.IPv6).match(range as ipaddr.IPv6, prefix);
  }
  return false;
}
