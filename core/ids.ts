import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

export const ID_PREFIXES = {
  org: "org",
  user: "usr",
  key: "key",
  session: "ses",
  invitation: "inv",
  audit: "aud",
  request: "req",
  product: "prd",
  customer: "cus",
  deal: "deal",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Random base32 text with 5 bits of entropy per character. */
export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return out;
}

/** A random, prefixed, non-sequential id such as `org_7k2m…` (100 bits). */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase32(20)}`;
}

const ID_PATTERN = /^[a-z]{3,4}_[0-9a-hjkmnp-tv-z]{20}$/;

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}
