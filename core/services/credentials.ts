import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import type { OrgScope } from "../scope.ts";
import { decryptSecret, encryptSecret, type SecretBinding } from "../secrets/envelope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { Secret } from "../secrets/secret.ts";
import { sharedCounter } from "../secrets/usage.ts";
import type { CredentialKind, CredentialTable } from "../store/schema.ts";
import { findById, partnerData } from "../tenancy/partner-data.ts";
import type { ServiceContext } from "./context.ts";

export type { CredentialKind } from "../store/schema.ts";

export type TlsMode = "starttls" | "tls" | "none";

export interface SmtpSettings {
  host: string;
  port: number;
  username: string;
  tlsMode: TlsMode;
}
export interface ApiKeySettings {
  service: string;
  baseUrl?: string;
}
export interface OauthSettings {
  tokenUrl: string;
  clientId: string;
  expiresAt?: string;
}

/** What a caller hands in: settings in clear, secret fields as `Secret`s only. */
export type CredentialInput = { name: string } & (
  | { kind: "smtp"; settings: SmtpSettings; secrets: { password: Secret } }
  | { kind: "api_key"; settings: ApiKeySettings; secrets: { key: Secret } }
  | {
      kind: "oauth";
      settings: OauthSettings;
      secrets: { accessToken: Secret; refreshToken?: Secret; clientSecret: Secret };
    }
);

/** A credential as every API shows it: secret fields masked, never plaintext. */
export interface Credential {
  id: string;
  orgId: string;
  name: string;
  kind: CredentialKind;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** The secret fields of each kind, in the order the CLI reads them from stdin. */
export const SECRET_FIELDS: Record<CredentialKind, readonly { name: string; required: boolean }[]> =
  {
    smtp: [{ name: "password", required: true }],
    api_key: [{ name: "key", required: true }],
    oauth: [
      { name: "accessToken", required: true },
      { name: "clientSecret", required: true },
      { name: "refreshToken", required: false },
    ],
  };

/** The master keys the credentials are sealed with; the counter is the store's shared one. */
export interface Vault {
  readonly keyring: Keyring;
}

const MASK = "••••";
/** Last characters of an API key shown, and only when the key is at least 3× as long. */
const KEY_HINT = 4;

/** Where a credential's secret field lives, bound into its ciphertext. */
export function credentialBinding(
  row: Pick<CredentialTable, "org_id" | "id" | "kind">,
  field: string,
): SecretBinding {
  return {
    orgId: row.org_id,
    table: "credentials",
    rowId: row.id,
    kind: row.kind,
    field,
  };
}

function storedSecrets(row: CredentialTable): Record<string, string> {
  const parsed = JSON.parse(row.secrets) as unknown;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AppError("INTEGRITY_FAILED", "a stored secret failed its integrity check");
  }
  return parsed as Record<string, string>;
}

/** Decrypts every secret field of a row; any mismatch throws INTEGRITY_FAILED. */
function openSecrets(vault: Vault, row: CredentialTable): Record<string, Secret> {
  const stored = storedSecrets(row);
  const opened: Record<string, Secret> = {};
  for (const [field, value] of Object.entries(stored)) {
    const known = SECRET_FIELDS[row.kind].some((f) => f.name === field);
    if (!known || typeof value !== "string") {
      throw new AppError("INTEGRITY_FAILED", "a stored secret failed its integrity check");
    }
    opened[field] = decryptSecret(vault.keyring, credentialBinding(row, field), value);
  }
  return opened;
}

function mask(kind: CredentialKind, field: string, secret: Secret): string {
  return kind === "api_key" && field === "key" ? secret.hint(KEY_HINT) : MASK;
}

/** The masked view; decrypting on the way means a tampered row fails instead of showing. */
function toCredential(vault: Vault, row: CredentialTable): Credential {
  const opened = openSecrets(vault, row);
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    kind: row.kind,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    secrets: Object.fromEntries(
      Object.entries(opened).map(([field, secret]) => [field, mask(row.kind, field, secret)]),
    ),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function secretEntries(input: CredentialInput): [string, Secret][] {
  const given = input.secrets as Record<string, Secret | undefined>;
  const fields = SECRET_FIELDS[input.kind];
  for (const name of Object.keys(given)) {
    if (!fields.some((f) => f.name === name)) {
      throw new AppError("VALIDATION_FAILED", `secrets.${name}: not a field of ${input.kind}`);
    }
  }
  const entries: [string, Secret][] = [];
  for (const { name, required } of fields) {
    const secret = given[name];
    if (secret === undefined || secret.length === 0) {
      if (required) throw new AppError("VALIDATION_FAILED", `secrets.${name}: required`);
      continue;
    }
    entries.push([name, secret]);
  }
  return entries;
}

/** Credentials of the scoped org, masked, by name. */
export async function listCredentials(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
): Promise<{ data: Credential[] }> {
  const rows = await partnerData(ctx.store.db, scope)
    .credentials()
    .selectAll()
    .orderBy("name")
    .orderBy("id")
    .execute();
  return { data: rows.map((row) => toCredential(vault, row)) };
}

/** Reads committed rows only, through the statement compiled once per store. */
function findRowOrThrow(ctx: ServiceContext, scope: OrgScope, id: string): CredentialTable {
  const row = findById(ctx.store, scope).credential(id);
  if (!row) throw notFound("credential");
  return row;
}

/** A credential of the scoped org, masked; any other org's is reported missing. */
export async function getCredentialOrThrow(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
  id: string,
): Promise<Credential> {
  return toCredential(vault, findRowOrThrow(ctx, scope, id));
}

/**
 * Creates the credential named `input.name`, or replaces its kind, settings
 * and secrets. Each secret field is sealed to its org, row, kind and field.
 */
export async function setCredential(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
  input: CredentialInput,
): Promise<{ credential: Credential; created: boolean }> {
  const entries = secretEntries(input);
  // A rotation may swap the primary between sealing and committing; the
  // commit then refuses, and sealing starts again under the new primary.
  for (let attempt = 1; ; attempt++) {
    try {
      return await sealAndStore(ctx, vault, scope, input, entries);
    } catch (error) {
      if (!(error instanceof PrimaryChanged) || attempt === 3) throw error;
    }
  }
}

class PrimaryChanged extends AppError {
  constructor() {
    super("CONFLICT", "the master key was rotated meanwhile; try again");
  }
}

async function sealAndStore(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
  input: CredentialInput,
  entries: [string, Secret][],
): Promise<{ credential: Credential; created: boolean }> {
  const existing = await partnerData(ctx.store.db, scope)
    .credentials()
    .select(["id", "created_at"])
    .where("name", "=", input.name)
    .executeTakeFirst();
  const now = nowIso();
  const keyring = vault.keyring;
  const row: CredentialTable = {
    id: existing?.id ?? newId("credential"),
    org_id: scope.orgId,
    name: input.name,
    kind: input.kind,
    settings: JSON.stringify(input.settings),
    secrets: "{}",
    key_version: keyring.primary,
    sealed_fields: entries.length,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };

  // Reservations write to the store, so they are made before the transaction opens.
  const counter = await sharedCounter(ctx.store);
  await counter.reserve(keyring.primary, entries.length);
  const sealed: Record<string, string> = {};
  for (const [field, secret] of entries) {
    sealed[field] = encryptSecret(keyring, counter, credentialBinding(row, field), secret);
  }
  row.secrets = JSON.stringify(sealed);

  await ctx.store.transaction(async (tx) => {
    if (vault.keyring.primary !== keyring.primary) throw new PrimaryChanged();
    const data = partnerData(tx, scope);
    const current = await data
      .credentials()
      .select("id")
      .where("name", "=", input.name)
      .executeTakeFirst();
    if (current?.id !== existing?.id) {
      throw new AppError("CONFLICT", "the credential changed meanwhile; try again");
    }
    const { org_id: _org, ...values } = row;
    if (existing) {
      await data
        .updateCredentials()
        .set({
          kind: row.kind,
          settings: row.settings,
          secrets: row.secrets,
          key_version: row.key_version,
          sealed_fields: row.sealed_fields,
          updated_at: now,
        })
        .where("id", "=", row.id)
        .execute();
    } else {
      await data.insertCredential(values).execute();
    }
    await appendAudit(tx, ctx, {
      action: "credential.set",
      orgId: scope.orgId,
      targetType: "credential",
      targetId: row.id,
      details: {
        name: row.name,
        kind: row.kind,
        created: !existing,
        fields: entries.map(([field]) => field),
      },
    });
  });
  return { credential: toCredential(vault, row), created: !existing };
}

export function deleteCredential(ctx: ServiceContext, scope: OrgScope, id: string): Promise<void> {
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await data
      .credentials()
      .select(["id", "name", "kind"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw notFound("credential");
    await data.deleteCredentials().where("id", "=", id).execute();
    await appendAudit(tx, ctx, {
      action: "credential.deleted",
      orgId: scope.orgId,
      targetType: "credential",
      targetId: id,
      details: { name: row.name, kind: row.kind },
    });
  });
}

/**
 * Decrypts a credential's secrets at the moment of use and hands them to
 * `fn` as `Secret`s. A value that does not belong to this org, row, kind and
 * field throws INTEGRITY_FAILED; the stored bytes are never returned.
 */
export async function useCredential<T>(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
  id: string,
  fn: (credential: {
    name: string;
    kind: CredentialKind;
    settings: Record<string, unknown>;
    secrets: Record<string, Secret>;
  }) => T | Promise<T>,
): Promise<T> {
  const row = findRowOrThrow(ctx, scope, id);
  const secrets = openSecrets(vault, row);
  return fn({
    name: row.name,
    kind: row.kind,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    secrets,
  });
}
