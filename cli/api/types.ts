import type { AccountType, Role } from "../../core/permissions.ts";

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
  seq: number;
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
