import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { parse } from "tldts";
import { AppError } from "../errors.ts";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// The proof lives at `_partneros-challenge.<host>`, which must fit DNS's 253.
const MAX_LENGTH = 253 - "_partneros-challenge.".length;
// What a hostname may be written with before punycode: letters, marks and
// digits of any script, dots and hyphens. Anything else (`/`, `%`, `#`,
// spaces, zero-width or soft hyphens) is refused, never silently dropped.
const WRITTEN = /^[\p{L}\p{M}\p{N}.-]+$/u;
// A last label of digits or hex is how IPv4 addresses are written (`127.1`, `0x7f.1`).
const NUMERIC_TLD = /(^|\.)(\d+|0x[0-9a-f]+)$/i;

/** Names no one can prove to own, refused whatever the operator configures. */
const RESERVED = ["localhost", "localdomain", "invalid", "example", "local"];

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

/**
 * The one spelling of a hostname a partner claims: lower case, no trailing
 * dot, internationalized labels in punycode. Refuses what no partner may
 * claim: anything that is not a DNS name, an IP literal, a name of the
 * platform itself or a reserved one (or below either), and a bare public
 * suffix such as `co.uk`.
 */
export function normalizeHostname(input: string, platformHosts: readonly string[]): string {
  const trimmed = input.trim();
  const bare = trimmed.replace(/^\[|\]$/g, "");
  const dotless = trimmed.replace(/\.$/, "");
  if (isIP(bare) !== 0 || NUMERIC_TLD.test(dotless)) {
    throw invalid("hostname: an IP address cannot be a custom domain");
  }
  if (!WRITTEN.test(dotless)) throw invalid("hostname: not a valid DNS name");
  const ascii = domainToASCII(dotless.toLowerCase());
  const labels = ascii.split(".");
  if (ascii === "" || !labels.every((l) => LABEL.test(l))) {
    throw invalid("hostname: not a valid DNS name");
  }
  if (ascii.length > MAX_LENGTH) {
    throw invalid(`hostname: at most ${MAX_LENGTH} characters, so that its proof's name fits DNS`);
  }
  if (labels.length < 2) throw invalid("hostname: needs at least two labels");

  const platform = [...RESERVED, ...platformHosts].map((host) =>
    host.toLowerCase().replace(/\.$/, ""),
  );
  if (platform.some((host) => ascii === host || ascii.endsWith(`.${host}`))) {
    throw invalid("hostname: the platform's own names cannot be claimed");
  }
  const { domain, publicSuffix } = parse(ascii, { allowPrivateDomains: true });
  if (domain === null || publicSuffix === ascii) {
    throw invalid("hostname: a public suffix cannot be claimed, only a name below one");
  }
  return ascii;
}

/**
 * The spelling of a Host header that domains are stored under: lower case,
 * without port and trailing dot. Anything odd simply finds no domain.
 */
export function hostOfHeader(header: string | undefined): string {
  const host = (header ?? "").trim().toLowerCase();
  const bare = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return (bare ?? "").replace(/\.$/, "");
}
