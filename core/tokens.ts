import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefixes that make a leaked PartnerOS secret recognisable to scanners. */
export const TOKEN_PREFIXES = {
  session: "pos_sess_",
  machineKey: "pos_key_",
  invitation: "pos_inv_",
} as const;

export type TokenKind = keyof typeof TOKEN_PREFIXES;

/** A new opaque bearer token: prefix plus 256 random bits in base64url. */
export function newToken(kind: TokenKind): string {
  return `${TOKEN_PREFIXES[kind]}${randomBytes(32).toString("base64url")}`;
}

/** Tokens carry 256 bits of entropy, so one SHA-256 is enough to store them. */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}

const KINDS = Object.entries(TOKEN_PREFIXES) as [TokenKind, string][];

export function tokenKind(token: string): TokenKind | undefined {
  for (const [kind, prefix] of KINDS) {
    if (token.startsWith(prefix)) return kind;
  }
  return undefined;
}

export function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The visible start of a token, safe to list: `pos_key_AbCd…`. */
export function tokenHint(token: string): string {
  const kind = tokenKind(token);
  const prefix = kind ? TOKEN_PREFIXES[kind] : "";
  return `${prefix}${token.slice(prefix.length, prefix.length + 4)}…`;
}
