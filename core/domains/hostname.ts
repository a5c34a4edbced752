import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { parse } from "tldts";
import { AppError } from "../errors.ts";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_LENGTH = 253;

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
  if (isIP(bare) !== 0 || /^[\d.]+$/.test(trimmed)) {
    throw invalid("hostname: an IP address cannot be a custom domain");
  }
  const ascii = domainToASCII(trimmed.toLowerCase().replace(/\.$/, ""));
  const labels = ascii.split(".");
  if (ascii === "" || ascii.length > MAX_LENGTH || !labels.every((l) => LABEL.test(l))) {
    throw invalid("hostname: not a valid DNS name");
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
