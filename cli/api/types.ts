import type { AccountType, Role } from "../../core/permissions.ts";
import type { DealStage } from "../../core/store/schema.ts";

/** Wire shapes of the daemon's answers, as the CLI reads them. */

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

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  accountType: AccountType;
  status: "active" | "suspended";
  createdAt: string;
  updatedAt: string;
}

export interface User {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface Invited {
  user: User;
  invitation: { token: string; expiresAt: string };
}

export interface Key {
  id: string;
  orgId: string;
  name: string;
  role: Role;
  scopes: string[];
  hint: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rotatedTo: string | null;
  status: "active" | "expired" | "revoked";
}

export interface CreatedKey {
  key: Key;
  token: string;
}

export interface RotatedKey extends CreatedKey {
  previous: Key;
}

export interface AuditRecord {
  seq?: number;
  id: string;
  at: string;
  actorKind: string;
  actorId: string;
  actorOrgId: string | null;
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  clientAddr: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  data: AuditRecord[];
  nextCursor: string | null;
}

export type AuditVerdict =
  | { ok: true; records: number; headHash: string }
  | {
      ok: false;
      records: number;
      firstBadSeq: number;
      firstBadId: string;
      problem: "altered" | "removed";
    };

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

export interface Product {
  id: string;
  /** The matching key: lower-case letters and digits of the name. */
  code: string;
  name: string;
  series: string | null;
  /** Minor units of `currency`. */
  listPrice: number | null;
  currency: string;
  createdAt: string;
  updatedAt: string;
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

export interface Customer {
  id: string;
  orgId: string;
  externalRef: string;
  name: string;
  sector: string | null;
  country: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerInput {
  externalRef: string;
  name: string;
  sector?: string | null;
  country?: string | null;
}

export interface Deal {
  id: string;
  orgId: string;
  externalRef: string;
  productId: string;
  customerId: string | null;
  stage: DealStage;
  /** Minor units of `currency`. */
  amount: number | null;
  currency: string;
  engageDate: string | null;
  closeDate: string | null;
  ownerUserId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DealInput {
  externalRef: string;
  productId: string;
  customerId?: string | null;
  stage: DealStage;
  amount?: number | null;
  currency: string;
  engageDate?: string | null;
  closeDate?: string | null;
  ownerUserId?: string | null;
}

export type UpsertOutcome = "created" | "updated" | "unchanged";

export interface UpsertResult {
  results: { externalRef: string; id: string | null; outcome: UpsertOutcome }[];
}

export type GroupBy = "partner" | "product" | "stage" | "month";

export interface CrossPartnerQuery {
  partners: "all" | string[];
  reason: string;
  stage?: DealStage;
  productId?: string;
  since?: string;
  until?: string;
  groupBy: GroupBy;
}

export interface CrossPartnerRow {
  group: string;
  currency: string;
  deals: number;
  /** Minor units of `currency`. */
  total: number;
}

export interface CrossPartnerResult {
  partners: number;
  rows: CrossPartnerRow[];
}
