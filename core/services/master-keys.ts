import { AppError } from "../errors.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { ServiceContext } from "./context.ts";

export interface MasterKeyVersionStatus {
  version: number;
  primary: boolean;
  /** Encryptions reserved in the store: an upper bound, never below those done. */
  encryptions: number;
  /** Stored values written under the version. */
  ciphertexts: number;
}

export interface MasterKeyStatus {
  primary: number;
  versions: MasterKeyVersionStatus[];
}

/** The keyring's versions with their persisted encryption counts; never any key material. */
export async function masterKeyStatus(
  ctx: ServiceContext,
  keyring: Keyring,
): Promise<MasterKeyStatus> {
  // The permission is the owner's only; this keeps a partner out even if a role table slips.
  if (ctx.actor.accountType !== "operator") {
    throw new AppError("FORBIDDEN", "the master keys are the operator's");
  }

  const rows = await ctx.store.db.selectFrom("master_key_usage").selectAll().execute();
  const counts = new Map(rows.map((row) => [Number(row.version), Number(row.encryptions)]));
  return {
    primary: keyring.primary,
    versions: keyring.versions().map((version) => ({
      version,
      primary: version === keyring.primary,
      encryptions: counts.get(version) ?? 0,
      // TODO(#4): count the values of the secret tables once they exist; none do yet.
      ciphertexts: 0,
    })),
  };
}
