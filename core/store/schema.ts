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
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_messages: WebhookMessageTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
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

export const EVENT_TYPES = ["click", "lead", "signup", "sale", "refund"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A partner event taken in by `POST /v1/events`; immutable once accepted. */
export interface EventTable {
  id: string;
  org_id: string;
  /** The partner's own id for the event: the idempotency key, unique per org. */
  external_id: string;
  type: EventType;
  occurred_at: string;
  /** Integer minor units of `currency`, when the event carries an amount. */
  amount: number | null;
  currency: string | null;
  customer_id: string | null;
  deal_id: string | null;
  /** JSON object of the partner's extra string attributes. */
  attributes: string;
  /** SHA-256 of the canonical payload: the same id with another payload is a conflict. */
  fingerprint: string;
  received_at: string;
  /** The actor (key or user id) that pushed it. */
  received_by: string;
}

export const WEBHOOK_ENDPOINT_STATUSES = ["enabled", "disabled"] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/** Where an org's webhooks go; its signing secrets are sealed like credentials. */
export interface WebhookEndpointTable {
  id: string;
  org_id: string;
  url: string;
  description: string;
  /** JSON array of the event types it receives, sorted. */
  event_types: string;
  status: WebhookEndpointStatus;
  /** Why it was disabled: `gone` (the receiver answered 410) or `manual` (through the API). */
  disabled_reason: string | null;
  /** JSON object: `signing`, and `previous` during a rotation's grace window, each sealed. */
  secrets: string;
  /** Until when the previous secret still signs; null when there is none. */
  previous_expires_at: string | null;
  key_version: number;
  sealed_fields: number;
  created_at: string;
  updated_at: string;
}

/** One outbox message: its id is the `webhook-id` every attempt carries. */
export interface WebhookMessageTable {
  id: string;
  org_id: string;
  event_type: string;
  /** The exact JSON body every attempt sends and signs. */
  payload: string;
  created_at: string;
}

export const WEBHOOK_DELIVERY_STATUSES = [
  "pending",
  "sending",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One message to one endpoint, with its retry state. */
export interface WebhookDeliveryTable {
  id: string;
  org_id: string;
  message_id: string;
  endpoint_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** `attempts` when the current retry schedule began: 0, or the count at the last replay. */
  schedule_start: number;
  next_attempt_at: string | null;
  /** While `sending`: when a worker that died mid-attempt is presumed gone. */
  lease_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export type WebhookAttemptTrigger = "schedule" | "replay" | "test";

/** One try of a delivery: what came back, never what was signed with. */
export interface WebhookAttemptTable {
  id: string;
  org_id: string;
  delivery_id: string;
  attempt: number;
  trigger: WebhookAttemptTrigger;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
  error: string | null;
  /** The first bytes of the receiver's answer, cleaned of every secret form. */
  response_excerpt: string | null;
}
