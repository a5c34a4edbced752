import type { Generated } from "kysely";
import type { AccountType, Role } from "../permissions.ts";

/** Row shapes of every table, as the query layer sees them. Times are ISO UTC text. */
export interface OrgTable {
  id: string;
  slug: string;
  name: string;
  account_type: AccountType;
  status: "active" | "suspended";
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  status: "invited" | "active" | "removed";
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface InvitationTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
}

export interface SessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface MachineKeyTable {
  id: string;
  org_id: string;
  name: string;
  role: Role;
  /** JSON array of permissions. */
  scopes: string;
  token_hash: string;
  hint: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  rotated_to: string | null;
}

export interface AuditTable {
  seq: Generated<number>;
  id: string;
  at: string;
  actor_kind: string;
  actor_id: string;
  actor_org_id: string | null;
  org_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  client_addr: string | null;
  /** JSON object of non-secret facts about the change. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface ProductTable {
  id: string;
  /** Normalized name used for matching: lower case, letters and digits only. */
  code: string;
  name: string;
  series: string | null;
  list_price: number | null;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerTable {
  id: string;
  org_id: string;
  external_ref: string;
  name: string;
  sector: string | null;
  country: string | null;
  created_at: string;
  updated_at: string;
}

export const DEAL_STAGES = ["Prospecting", "Engaging", "Won", "Lost"] as const;
export type DealStage = (typeof DEAL_STAGES)[number];

export interface DealTable {
  id: string;
  org_id: string;
  external_ref: string;
  product_id: string;
  customer_id: string | null;
  stage: DealStage;
  /** Integer minor units of `currency`; null while a deal has no value yet. */
  amount: number | null;
  currency: string;
  /** Calendar dates, YYYY-MM-DD. */
  engage_date: string | null;
  close_date: string | null;
  owner_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DealDailyTotalTable {
  /** Close date, or "" for deals not closed yet. */
  close_date: string;
  stage: DealStage;
  product_id: string;
  currency: string;
  deals: number;
  total: number;
}

export interface Database {
  orgs: OrgTable;
  users: UserTable;
  invitations: InvitationTable;
  sessions: SessionTable;
  machine_keys: MachineKeyTable;
  audit_log: AuditTable;
  products: ProductTable;
  customers: CustomerTable;
  deals: DealTable;
  deal_daily_totals: DealDailyTotalTable;
  master_key_usage: MasterKeyUsageTable;
  credentials: CredentialTable;
  domains: DomainTable;
  org_branding: OrgBrandingTable;
}

/** Encryptions reserved per master key version: never below the number actually done. */
export interface MasterKeyUsageTable {
  version: number;
  encryptions: number;
  /** When the version was retired: no ciphertext used it any more, and it left the keyring. */
  retired_at: string | null;
}

export const CREDENTIAL_KINDS = ["smtp", "api_key", "oauth"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** A partner's credential: non-secret settings in clear, each secret field sealed. */
export interface CredentialTable {
  id: string;
  org_id: string;
  name: string;
  kind: CredentialKind;
  /** JSON object of the kind's non-secret fields. */
  settings: string;
  /** JSON object from secret field name to its `pos1.k…` ciphertext. */
  secrets: string;
  /** The master key version every field of `secrets` is sealed with. */
  key_version: number;
  /** How many ciphertexts `secrets` holds. */
  sealed_fields: number;
  created_at: string;
  updated_at: string;
}

export const DOMAIN_STATUSES = ["pending", "verified", "unverified"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * A hostname a partner claims for its portal. Only a `verified` row is
 * honoured, for host resolution and CORS; at most one per hostname.
 */
export interface DomainTable {
  id: string;
  org_id: string;
  /** Normalized: lower case, no trailing dot, internationalized labels in punycode. */
  hostname: string;
  status: DomainStatus;
  /** The TXT value to publish; public by nature, so stored as it is. */
  challenge: string;
  created_at: string;
  updated_at: string;
  verified_at: string | null;
  last_checked_at: string | null;
  /** Why the last check did not verify: a short code, never resolver output. */
  last_check_error: string | null;
}

/** A partner's public branding, served on its verified domains. */
export interface OrgBrandingTable {
  org_id: string;
  display_name: string;
  logo_url: string | null;
  primary_color: string | null;
  accent_color: string | null;
  updated_at: string;
}
