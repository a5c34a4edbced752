import type { Actor } from "./actor.ts";
import { AppError } from "./errors.ts";
import { type AccountType, keyPermissions, type Permission, type Role } from "./permissions.ts";
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
  readonly #byRow = new WeakMap<KeyRow, ReadonlySet<Permission>>();
  readonly #pending = new Set<Promise<void>>();
  readonly #touched = new Map<string, number>();
  /** Credential rows by token hash, valid only while no commit has happened since. */
  readonly #rows = new Map<string, KeyRow | SessionRow>();
  #rowsVersion: number | undefined;
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

  /**
   * Reads a credential row. Rows are remembered only until the next commit to
   * the store by anyone, so a revocation, removal or suspension is seen on the
   * very next request exactly as without the cache.
   */
  #lookup<R extends KeyRow | SessionRow>(
    hash: string,
    read: PreparedRead<"hash", R>,
  ): R | undefined {
    const version = this.#store.committedVersion();
    if (version === undefined) return read({ hash });
    if (version !== this.#rowsVersion) {
      this.#rows.clear();
      this.#rowsVersion = version;
    }
    const cached = this.#rows.get(hash) as R | undefined;
    if (cached) return cached;
    const row = read({ hash });
    if (row) {
      if (this.#rows.size >= 10_000) this.#rows.clear();
      this.#rows.set(hash, row);
    }
    return row;
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
    const row = this.#lookup(hashToken(token), this.#keyByHash);
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
      permissions: this.#rowPermissions(row),
      credentialId: row.id,
    };
  }

  #user(token: string, now: Date): Actor {
    const row = this.#lookup(hashToken(token), this.#sessionByHash);
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

  #rowPermissions(row: KeyRow): ReadonlySet<Permission> {
    let permissions = this.#byRow.get(row);
    if (!permissions) {
      permissions = this.#keyPermissions(row.role, row.scopes);
      this.#byRow.set(row, permissions);
    }
    return permissions;
  }

  /** A key holds its scopes, cut down to what its role still allows today. */
  #keyPermissions(role: Role, scopes: string | null): ReadonlySet<Permission> {
    const cacheKey = `${role}\u0000${scopes ?? "*"}`;
    const cached = this.#scopeCache.get(cacheKey);
    if (cached) return cached;
    const frozen: ReadonlySet<Permission> = keyPermissions(role, scopes);
    if (this.#scopeCache.size > 10_000) this.#scopeCache.clear();
    this.#scopeCache.set(cacheKey, frozen);
    return frozen;
  }

  #touch(table: "machine_keys" | "sessions", id: string, last: string | null, now: Date): void {
    const touchedAt = this.#touched.get(id);
    if (touchedAt !== undefined && now.getTime() - touchedAt < TOUCH_INTERVAL_MS) return;
    if (last !== null && now.getTime() - Date.parse(last) < TOUCH_INTERVAL_MS) return;
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
