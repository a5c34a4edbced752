import { AppError } from "../errors.ts";
import { decryptSecret, type SecretBinding } from "../secrets/envelope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { Secret } from "../secrets/secret.ts";
import type { WebhookEndpointTable } from "../store/schema.ts";

/** The two sealed fields an endpoint row can hold. */
export const SIGNING_FIELDS = ["signing", "previous"] as const;
export type SigningField = (typeof SIGNING_FIELDS)[number];

/** Where a signing secret lives, bound into its ciphertext like a credential's. */
export function signingSecretBinding(
  row: Pick<WebhookEndpointTable, "org_id" | "id">,
  field: SigningField,
): SecretBinding {
  return { orgId: row.org_id, table: "webhook_endpoints", rowId: row.id, kind: "webhook", field };
}

const integrityError = () =>
  new AppError("INTEGRITY_FAILED", "a stored secret failed its integrity check");

/** The sealed values of a row, by field; anything unexpected fails closed. */
export function sealedSigningSecrets(
  row: Pick<WebhookEndpointTable, "secrets">,
): Partial<Record<SigningField, string>> {
  const parsed = JSON.parse(row.secrets) as unknown;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw integrityError();
  const sealed: Partial<Record<SigningField, string>> = {};
  for (const [field, value] of Object.entries(parsed)) {
    if (!(SIGNING_FIELDS as readonly string[]).includes(field) || typeof value !== "string") {
      throw integrityError();
    }
    sealed[field as SigningField] = value;
  }
  if (sealed.signing === undefined) throw integrityError();
  return sealed;
}

/**
 * The secrets of one attempt at `now`, decrypted at the moment of use, each
 * once: `signWith` is the current one, then the previous one while its grace
 * window lasts; `held` is every secret the row holds, the previous one even
 * after its window closed, which the attempt keeps out of the receiver's
 * answer (a receiver still set up with an old secret is the likeliest to echo
 * it).
 */
export function openEndpointSecrets(
  keyring: Keyring,
  row: Pick<WebhookEndpointTable, "org_id" | "id" | "secrets" | "previous_expires_at">,
  now: Date,
): { signWith: Secret[]; held: Secret[] } {
  const sealed = sealedSigningSecrets(row);
  const open = (field: SigningField, value: string) =>
    decryptSecret(keyring, signingSecretBinding(row, field), value);
  const signing = open("signing", sealed.signing as string);
  const previous = sealed.previous === undefined ? undefined : open("previous", sealed.previous);
  const graceLasts =
    row.previous_expires_at !== null && Date.parse(row.previous_expires_at) > now.getTime();
  return {
    signWith: previous && graceLasts ? [signing, previous] : [signing],
    held: previous ? [signing, previous] : [signing],
  };
}

/** The secrets an attempt at `now` signs with: the current one, then one still in its window. */
export function openSigningSecrets(
  keyring: Keyring,
  row: Pick<WebhookEndpointTable, "org_id" | "id" | "secrets" | "previous_expires_at">,
  now: Date,
): Secret[] {
  return openEndpointSecrets(keyring, row, now).signWith;
}
