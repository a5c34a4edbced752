import type { AccountType, Role } from "../../core/permissions.ts";
import type { AuditRecord } from "../../core/services/audit-log.ts";
import type { CrossPartnerRow, GroupBy } from "../../core/services/cross-partner.ts";
import type { UpsertOutcome } from "../../core/services/customers.ts";
import type { MachineKey as Key } from "../../core/services/keys.ts";
import type { User } from "../../core/services/users.ts";
import type { DealStage } from "../../core/store/schema.ts";

/**
 * Wire shapes of the daemon's answers, as the CLI reads them. Resources are the
 * services' own types, so the CLI and the daemon cannot disagree on a field.
 */
export type { AuditVerification as AuditVerdict } from "../../core/audit.ts";
export type { AuditRecord } from "../../core/services/audit-log.ts";
export type { Branding } from "../../core/services/branding.ts";
export type { CredentialTest } from "../../core/services/credential-test.ts";
export type { Credential } from "../../core/services/credentials.ts";
export type { CrossPartnerRow, GroupBy } from "../../core/services/cross-partner.ts";
export type { Customer, CustomerInput, UpsertOutcome } from "../../core/services/customers.ts";
export type { Deal, DealInput } from "../../core/services/deals.ts";
export type { Domain } from "../../core/services/domains.ts";
export type { RotationProgress as MasterKeyRotation } from "../../core/services/key-rotation.ts";
export type { MachineKey as Key } from "../../core/services/keys.ts";
export type { MasterKeyStatus } from "../../core/services/master-keys.ts";
export type { Product } from "../../core/services/products.ts";
export type { Tenant } from "../../core/services/tenants.ts";
export type { User } from "../../core/services/users.ts";

export interface ActorView {
  kind: "user" | "machine";
  id: string;
  orgId: string;
  orgSlug: string;
  accountType: AccountType;
  role: Role;
  credentialId: string;
}

export interface Me {
  actor: ActorView;
  permissions: string[];
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  actor: ActorView;
}

export interface AcceptResult {
  userId: string;
  orgId: string;
  email: string;
}

export interface Invited {
  user: User;
  invitation: { token: string; expiresAt: string };
}

export interface CreatedKey {
  key: Key;
  token: string;
}

export interface RotatedKey extends CreatedKey {
  previous: Key;
}

export interface AuditPage {
  data: AuditRecord[];
  nextCursor: string | null;
}

export interface Listing<T> {
  data: T[];
}

export interface Status {
  status: string;
}

/** One page of a cursor-paged listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface ProductInput {
  name: string;
  series?: string | null;
  listPrice?: number | null;
  currency: string;
}

export interface ProductPatch {
  series?: string | null;
  listPrice?: number | null;
}

export interface UpsertResult {
  results: { externalRef: string; id: string | null; outcome: UpsertOutcome }[];
}

export interface CrossPartnerQuery {
  partners: "all" | string[];
  reason: string;
  stage?: DealStage;
  productId?: string;
  since?: string;
  until?: string;
  groupBy: GroupBy;
}

export interface CrossPartnerResult {
  partners: number;
  rows: CrossPartnerRow[];
}
