import { AppError } from "../errors.ts";
import { keyVersionOf } from "../secrets/envelope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { crossPartnerCredentialSecrets } from "../tenancy/partner-data.ts";
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
  const stored = await storedCiphertexts(ctx);
  return {
    primary: keyring.primary,
    versions: keyring.versions().map((version) => ({
      version,
      primary: version === keyring.primary,
      encryptions: counts.get(version) ?? 0,
      ciphertexts: stored.get(version) ?? 0,
    })),
  };
}

/** Stored secret fields per key version, read from the values themselves. */
async function storedCiphertexts(ctx: ServiceContext): Promise<Map<number, number>> {
  const rows = await crossPartnerCredentialSecrets(ctx.store.db).execute();
  const perVersion = new Map<number, number>();
  for (const row of rows) {
    const secrets = JSON.parse(row.secrets) as Record<string, unknown>;
    for (const value of Object.values(secrets)) {
      const version = typeof value === "string" ? keyVersionOf(value) : undefined;
      if (version !== undefined) perVersion.set(version, (perVersion.get(version) ?? 0) + 1);
    }
  }
  return perVersion;
}
