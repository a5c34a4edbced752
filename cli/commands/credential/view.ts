import type { Credential } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

/** Secrets arrive masked from the daemon; the CLI never sees plaintext to show. */
export function credentialView(credential: Credential): View {
  return [
    fields([
      ["id", credential.id],
      ["org", credential.orgId],
      ["name", credential.name],
      ["kind", credential.kind],
      ...Object.entries(credential.settings).map(([k, v]) => [k, v] as const),
      ...Object.entries(credential.secrets).map(([k, v]) => [k, v] as const),
      ["updated", credential.updatedAt],
    ]),
  ];
}

export function credentialsView(credentials: readonly Credential[]): View {
  const rows = credentials.map((c) => [c.id, c.name, c.kind, c.updatedAt]);
  return [table(["id", "name", "kind", "updated"], rows)];
}
