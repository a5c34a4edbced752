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
  credential: "crd",
  domain: "dom",
  event: "evt",
  webhook: "whk",
  message: "msg",
  delivery: "whd",
  attempt: "wha",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

/** Random base32 text with 5 bits of entropy per character, drawn from a refilled pool. */
export function randomBase32(length: number): string {
  if (poolOffset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[(pool[poolOffset + i] ?? 0) & 31];
  poolOffset += length;
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
