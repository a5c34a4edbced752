import type { Key } from "../../api/types.ts";
import { fields, table, text, type View } from "../../output/view.ts";

export function keyView(key: Key): View {
  return [
    fields([
      ["id", key.id],
      ["org", key.orgId],
      ["name", key.name],
      ["role", key.role],
      ["scopes", key.scopes],
      ["hint", key.hint],
      ["status", key.status],
      ["created", key.createdAt],
      ["expires", key.expiresAt],
      ["revoked", key.revokedAt],
      ["last used", key.lastUsedAt],
      ["rotated to", key.rotatedTo],
    ]),
  ];
}

export function keysView(keys: readonly Key[]): View {
  const rows = keys.map((k) => [
    k.id,
    k.name,
    k.role,
    k.scopes.length,
    k.hint,
    k.status,
    k.expiresAt,
    k.lastUsedAt,
  ]);
  const columns = ["id", "name", "role", "scopes", "hint", "status", "expires", "last used"];
  return [table(columns, rows)];
}

/** The token on a line of its own, after the one warning that it is not shown again. */
export function tokenView(token: string): View {
  return [text("Token, shown this once; store it now:"), text(token)];
}
