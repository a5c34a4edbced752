import { AppError } from "../errors.ts";
import type { SecretBinding } from "../secrets/envelope.ts";
import type { CredentialKind } from "../store/schema.ts";
import { type SealedTable, sealedRows } from "../tenancy/partner-data.ts";
import {
  SIGNING_FIELDS,
  type SigningField,
  signingSecretBinding,
} from "../webhooks/endpoint-secrets.ts";
import { credentialBinding, SECRET_FIELDS } from "./credentials.ts";

/** A sealed row as the master-key upkeep reads it. */
export interface SealedRow {
  id: string;
  org_id: string;
  kind: string;
  secrets: string;
}

/** One table of sealed secrets: its rows, how each field is bound, and at most how many. */
export interface SealedTableSpec {
  table: SealedTable;
  rows: ReturnType<typeof sealedRows>;
  maxFields: number;
  /** The binding a field of a row was sealed under; an unknown field fails closed. */
  binding(row: SealedRow, field: string): SecretBinding;
}

const integrityError = () =>
  new AppError("INTEGRITY_FAILED", "a stored secret failed its integrity check");

/**
 * Every place a ciphertext can live. Rotation re-seals, status counts and
 * retirement scans exactly these, so a table added here is covered by all three.
 */
export const SEALED_TABLE_SPECS: readonly SealedTableSpec[] = [
  {
    table: "credentials",
    rows: sealedRows("credentials"),
    maxFields: Math.max(...Object.values(SECRET_FIELDS).map((fields) => fields.length)),
    binding: (row, field) => {
      const kind = row.kind as CredentialKind;
      if (!SECRET_FIELDS[kind]?.some((f) => f.name === field)) throw integrityError();
      return credentialBinding({ ...row, kind }, field);
    },
  },
  {
    table: "webhook_endpoints",
    rows: sealedRows("webhook_endpoints"),
    maxFields: SIGNING_FIELDS.length,
    binding: (row, field) => {
      if (!(SIGNING_FIELDS as readonly string[]).includes(field)) throw integrityError();
      return signingSecretBinding(row, field as SigningField);
    },
  },
];
