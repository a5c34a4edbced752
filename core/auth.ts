import type { Actor } from "./actor.ts";
import { AppError } from "./errors.ts";
import {
  type AccountType,
  isPermission,
  type Permission,
  permissionsOf,
  type Role,
} from "./permissions.ts";
import type { PreparedRead, Store } from "./store/store.ts";
import { hashToken, tokenKind } from "./tokens.ts";

/** How often `last_used_at` is written for one credential, at most. */
const TOUCH_INTERVAL_MS = 60_000;

interface KeyRow {
  id: string;
  org_id: string;
  role: Role;
  scopes: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  org_slug: string;
  org_status: string;
  account_type: AccountType;
}

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  user_status: string;
  role: Role;
  org_id: string;
  org_slug: string;
  org_status: string;
  account_type: AccountType;
}

const unauthenticated = () =>
  new AppError("UNAUTHENTICATED", "missing, invalid, expired or revoked credential");

/**
 * Turns a bearer token into an actor. Every call reads the credential and its
 * org afresh, so revocation, expiry, removal and suspension apply to the very
 * next request.
 */
export class Authenticator {
  readonly #store: Store;
  readonly #keyByHash: PreparedRead<"hash", KeyRow>;
  readonly #sessionByHash: PreparedRead<"hash", SessionRow>;
  readonly #scopeCache = new Map<string, ReadonlySet<Permission>>();
  readonly #pending = new Set<Promise<void>>();
  readonly #touched = new Map<string, number>();
  readonly #onBackgroundError: (error: unknown) => void;

  constructor(store: Store, onBackgroundError: (error: unknown) => void) {
    this.#store = store;
    this.#onBackgroundError = onBackgroundError;
    this.#keyByHash = store.prepareRead<"hash", KeyRow>((param) =>
      store.db
        .selectFrom("machine_keys as k")
        .innerJoin("orgs as o", "o.id", "k.org_id")
        .select([
          "k.id",
          "k.org_id",
          "k.role",
          "k.scopes",
          "k.expires_at",
          "k.revoked_at",
          "k.last_used_at",
          "o.slug as org_slug",
          "o.status as org_status",
          "o.account_type",
        ])
        .where("k.token_hash", "=", param("hash")),
    );
    this.#sessionByHash = store.prepareRead<"hash", SessionRow>((param) =>
      store.db
        .selectFrom("sessions as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .innerJoin("orgs as o", "o.id", "u.org_id")
        .select([
          "s.id",
          "s.user_id",
          "s.expires_at",
          "s.revoked_at",
          "s.last_used_at",
          "u.status as user_status",
          "u.role",
          "o.id as org_id",
          "o.slug as org_slug",
          "o.status as org_status",
          "o.account_type",
        ])
        .where("s.token_hash", "=", param("hash")),
    );
  }

  authenticate(token: string, now: Date = new Date()): Actor {
    const kind = tokenKind(token);
    if (kind === "machineKey") return this.#machine(token, now);
    if (kind === "session") return this.#user(token, now);
    throw unauthenticated();
  }

  /** Waits for pending last-used writes; called on shutdown. */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #machine(token: string, now: Date): Actor {
    const row = this.#keyByHash({ hash: hashToken(token) });
    const nowIso = now.toISOString();
    if (!row || row.revoked_at !== null) throw unauthenticated();
    if (row.expires_at !== null && row.expires_at <= nowIso) throw unauthenticated();
    if (row.org_status !== "active") {
      throw new AppError("ORG_SUSPENDED", "this org is suspended");
    }
    this.#touch("machine_keys", row.id, row.last_used_at, now);
    return {
      kind: "machine",
      id: row.id,
      orgId: row.org_id,
      orgSlug: row.org_slug,
      accountType: row.account_type,
      role: row.role,
      permissions: this.#keyPermissions(row.role, row.scopes),
      credentialId: row.id,
    };
  }

  #user(token: string, now: Date): Actor {
    const row = this.#sessionByHash({ hash: hashToken(token) });
    const nowIso = now.toISOString();
    if (!row || row.revoked_at !== null || row.expires_at <= nowIso) throw unauthenticated();
    if (row.user_status !== "active") throw unauthenticated();
    if (row.org_status !== "active") {
      throw new AppError("ORG_SUSPENDED", "this org is suspended");
    }
    this.#touch("sessions", row.id, row.last_used_at, now);
    return {
      kind: "user",
      id: row.user_id,
      orgId: row.org_id,
      orgSlug: row.org_slug,
      accountType: row.account_type,
      role: row.role,
      permissions: this.#keyPermissions(row.role, null),
      credentialId: row.id,
    };
  }

  /** A key holds its scopes, cut down to what its role still allows today. */
  #keyPermissions(role: Role, scopes: string | null): ReadonlySet<Permission> {
    const cacheKey = `${role}\u0000${scopes ?? "*"}`;
    const cached = this.#scopeCache.get(cacheKey);
    if (cached) return cached;
    const allowed = new Set(permissionsOf(role));
    let result: Set<Permission> = allowed;
    if (scopes !== null) {
      const parsed: unknown = JSON.parse(scopes);
      const list = Array.isArray(parsed) ? parsed : [];
      result = new Set(
        list.filter(
          (p): p is Permission => typeof p === "string" && isPermission(p) && allowed.has(p),
        ),
      );
    }
    const frozen: ReadonlySet<Permission> = result;
    if (this.#scopeCache.size > 10_000) this.#scopeCache.clear();
    this.#scopeCache.set(cacheKey, frozen);
    return frozen;
  }

  #touch(table: "machine_keys" | "sessions", id: string, last: string | null, now: Date): void {
    const recent = Math.max(last === null ? 0 : Date.parse(last), this.#touched.get(id) ?? 0);
    if (now.getTime() - recent < TOUCH_INTERVAL_MS) return;
    if (this.#touched.size > 100_000) this.#touched.clear();
    this.#touched.set(id, now.getTime());
    const write = this.#store.db
      .updateTable(table)
      .set({ last_used_at: now.toISOString() })
      .where("id", "=", id)
      .execute()
      .then(
        () => undefined,
        (error: unknown) => this.#onBackgroundError(error),
      )
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }
}
