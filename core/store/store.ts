import { chmodSync, existsSync } from "node:fs";
import SQLite from "better-sqlite3";
import {
  type Compilable,
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDialect,
  type Transaction,
} from "kysely";
import { AppError } from "../errors.ts";
import { migrationProvider } from "./migrations.ts";
import type { Database } from "./schema.ts";

/** SQLite runs DDL inside transactions, so migrations may be all-or-nothing. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PartnerSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/** Statements kept per connection; queries with varying IN-lists or row counts come and go. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The writer as Kysely's driver sees it, with each statement prepared once
 * per SQL text: better-sqlite3 compiles on every `prepare()`, which costs
 * more than running a point query. Least recently used texts leave first.
 * Safe because the store never streams a result (a statement mid-iteration
 * could not be run again).
 */
function preparingOnce(connection: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SQLite.Statement {
      const cached = cache.get(sql);
      if (cached) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = connection.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(sql, statement);
      return statement;
    },
    close: () => connection.close(),
  };
}

export type Tx = Transaction<Database>;
export type Db = Kysely<Database>;

/** A compiled read query that can run many times with fresh parameters. */
export type PreparedRead<P extends string, R> = (args: Record<P, unknown>) => R | undefined;

export interface Store {
  /** The dialect-neutral query builder; every write goes through it. */
  readonly db: Db;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Compiles a query once with named parameters and returns a function that
   * reads one committed row synchronously. Used on the per-request auth path.
   */
  prepareRead<P extends string, R>(
    build: (param: (name: P) => string) => Compilable<R>,
  ): PreparedRead<P, R>;
  /**
   * A number that changes whenever any connection, in this process or
   * another, commits to the database; undefined where that cannot be told
   * (an in-memory store). Lets hot-path caches drop everything on any commit.
   */
  committedVersion(): number | undefined;
  /**
   * Runs a Kysely-built read on the read-only connection, synchronously, with
   * its prepared statement cached by SQL text. It sees committed rows only:
   * inside a transaction, read through the transaction instead.
   */
  readAll<R>(query: Compilable<R>): R[];
  readFirst<R>(query: Compilable<R>): R | undefined;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Path of the SQLite file, or ":memory:" for a throwaway store. */
  path: string;
  busyTimeoutMs?: number;
}

function configure(connection: SQLite.Database, busyTimeoutMs: number): void {
  connection.pragma("journal_mode = WAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  connection.pragma("synchronous = NORMAL");
}

/** Opens (creating if needed) the store and applies pending migrations in one transaction. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const creating = options.path !== ":memory:" && !existsSync(options.path);
  const writer = new SQLite(options.path);
  if (creating) chmodSync(options.path, 0o600);
  configure(writer, busyTimeoutMs);

  const db = new Kysely<Database>({
    dialect: new PartnerSqliteDialect({ database: preparingOnce(writer) }),
  });
  await migrate(db);

  // A second, read-only connection sees only committed rows, so a read on the
  // auth path never observes another request's transaction half-way through.
  const reader =
    options.path === ":memory:" ? writer : new SQLite(options.path, { readonly: true });
  if (reader !== writer) reader.pragma(`busy_timeout = ${busyTimeoutMs}`);

  // Prepared once: better-sqlite3's pragma() would compile it on every call.
  const dataVersion = reader === writer ? undefined : reader.prepare("PRAGMA data_version").pluck();
  const statements = new Map<string, SQLite.Statement>();
  const statementFor = (query: Compilable<unknown>) => {
    const compiled = query.compile();
    let statement = statements.get(compiled.sql);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = reader.prepare(compiled.sql);
      statements.set(compiled.sql, statement);
    }
    return { statement, parameters: compiled.parameters };
  };

  return {
    db,
    transaction: (fn) => db.transaction().execute(fn),
    committedVersion() {
      return dataVersion?.get() as number | undefined;
    },
    readAll<R>(query: Compilable<R>) {
      const { statement, parameters } = statementFor(query);
      return statement.all(...parameters) as R[];
    },
    readFirst<R>(query: Compilable<R>) {
      const { statement, parameters } = statementFor(query);
      return statement.get(...parameters) as R | undefined;
    },
    prepareRead<P extends string, R>(build: (param: (name: P) => string) => Compilable<R>) {
      const marker = (name: P) => `\u0000param:${name}`;
      const compiled = build(marker).compile();
      const names = compiled.parameters.map((value) => {
        if (typeof value !== "string" || !value.startsWith("\u0000param:")) {
          throw new Error("prepared queries take only named parameters");
        }
        return value.slice("\u0000param:".length) as P;
      });
      const statement = reader.prepare(compiled.sql);
      return (args: Record<P, unknown>) =>
        statement.get(...names.map((name) => args[name])) as R | undefined;
    },
    async close() {
      // The reader closes first so that the writer, closing last, folds the
      // write-ahead log back into the database file.
      if (reader !== writer) reader.close();
      await db.destroy();
    },
  };
}

async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new AppError("INTERNAL", `store migration ${failed} failed`, { cause: error });
  }
}
