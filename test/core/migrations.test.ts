import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type Migration, Migrator, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import { migrationProvider } from "../../core/store/migrations.ts";
import { openStore, type Store } from "../../core/store/store.ts";

const MIGRATIONS_MODULE = "../../core/store/migrations.ts";
const STORE_MODULE = "../../core/store/store.ts";

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.doUnmock(MIGRATIONS_MODULE);
  vi.resetModules();
});

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "partneros-store-"));
  dirs.push(dir);
  return join(dir, "partneros.db");
}

async function open(path: string): Promise<Store> {
  const store = await openStore({ path });
  stores.push(store);
  return store;
}

/** Reads the file with a connection of its own, outside the store. */
function inspect<T>(path: string, read: (db: SQLite.Database) => T): T {
  const db = new SQLite(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function tableNames(path: string): string[] {
  return inspect(path, (db) =>
    (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[])
      .map((r) => r.name)
      .sort(),
  );
}

function appliedMigrations(path: string): string[] {
  return inspect(path, (db) =>
    (db.prepare("select name from kysely_migration order by name").all() as { name: string }[]).map(
      (r) => r.name,
    ),
  );
}

/** A migration that creates a table and then fails, as a buggy migration would. */
const brokenMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("half_done")
      .addColumn("id", "text", (c) => c.primaryKey())
      .execute();
    await sql`insert into half_done (id) values ('written before the failure')`.execute(db);
    throw new Error("migration failed half-way");
  },
};

/** The real migrations plus the broken one, last in name order. */
async function providerWithBrokenMigration() {
  const real = await migrationProvider.getMigrations();
  return { getMigrations: async () => ({ ...real, "9999_broken": brokenMigration }) };
}

/** openStore from a fresh module graph whose migration list ends in a broken migration. */
async function openStoreWithBrokenMigration(): Promise<typeof openStore> {
  const provider = await providerWithBrokenMigration();
  vi.resetModules();
  vi.doMock(MIGRATIONS_MODULE, () => ({ migrationProvider: provider }));
  const module = (await import(STORE_MODULE)) as typeof import("../../core/store/store.ts");
  return module.openStore;
}

describe("openStore", () => {
  it("applies each migration exactly once however often the store is opened", async () => {
    const path = tempDbPath();
    const expected = Object.keys(await migrationProvider.getMigrations()).sort();

    await (await openStore({ path })).close();
    await (await openStore({ path })).close();
    const store = await open(path);

    expect(expected.length).toBeGreaterThan(0);
    expect(appliedMigrations(path)).toEqual(expected);
    expect(await store.db.selectFrom("orgs").selectAll().execute()).toEqual([]);
  });

  it("keeps rows written before it was reopened", async () => {
    const path = tempDbPath();
    const first = await openStore({ path });
    const now = new Date().toISOString();
    await first.db
      .insertInto("orgs")
      .values({
        id: "org_kept",
        slug: "kept",
        name: "Kept",
        account_type: "partner",
        status: "active",
        created_at: now,
        updated_at: now,
      })
      .execute();
    await first.close();

    const second = await open(path);

    expect(await second.db.selectFrom("orgs").select("slug").execute()).toEqual([{ slug: "kept" }]);
  });

  it("puts the database file in WAL mode", async () => {
    const path = tempDbPath();

    await open(path);

    expect(inspect(path, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
  });

  it("enforces foreign keys on its own connection", async () => {
    const path = tempDbPath();
    const store = await open(path);
    const now = new Date().toISOString();

    const pragma = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
    const orphan = store.db
      .insertInto("users")
      .values({
        id: "usr_orphan",
        org_id: "org_does_not_exist",
        email: "orphan@nowhere.test",
        name: "Orphan",
        role: "partner_member",
        status: "active",
        password_hash: null,
        created_at: now,
        updated_at: now,
      })
      .execute();

    expect(pragma.rows).toEqual([{ foreign_keys: 1 }]);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it("creates the database file readable and writable by its owner only", async () => {
    const path = tempDbPath();

    await open(path);

    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("folds the write-ahead log into the database file when closed after reads", async () => {
    const path = tempDbPath();
    const store = await openStore({ path });
    const now = new Date().toISOString();
    await store.db
      .insertInto("orgs")
      .values({
        id: "org_in_wal",
        slug: "in-wal",
        name: "In WAL",
        account_type: "partner",
        status: "active",
        created_at: now,
        updated_at: now,
      })
      .execute();
    const read = store.prepareRead<"id", { slug: string }>((param) =>
      store.db.selectFrom("orgs").select("slug").where("id", "=", param("id")),
    );
    expect(read({ id: "org_in_wal" })).toEqual({ slug: "in-wal" });

    await store.close();

    const wal = `${path}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  });
});

describe("a failing migration", () => {
  it("stops openStore with INTERNAL naming the migration", async () => {
    const path = tempDbPath();
    const openBroken = await openStoreWithBrokenMigration();

    const error = await openBroken({ path }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );

    expect(error?.code).toBe("INTERNAL");
    expect(error?.message).toContain("9999_broken");
  });

  it("leaves no trace of its half-applied schema in an existing store", async () => {
    const path = tempDbPath();
    await (await openStore({ path })).close();
    const tablesBefore = tableNames(path);
    const appliedBefore = appliedMigrations(path);
    const openBroken = await openStoreWithBrokenMigration();

    await expect(openBroken({ path })).rejects.toThrow();

    expect(tablesBefore).not.toContain("half_done");
    expect(tableNames(path)).toEqual(tablesBefore);
    expect(appliedMigrations(path)).toEqual(appliedBefore);
  });

  it("rolls back every migration of the same run on a fresh store", async () => {
    const path = tempDbPath();
    const openBroken = await openStoreWithBrokenMigration();

    await expect(openBroken({ path })).rejects.toThrow();

    const tables = tableNames(path);
    expect(tables).not.toContain("half_done");
    expect(tables).not.toContain("orgs");
    expect(appliedMigrations(path)).toEqual([]);
  });

  it("would leave a half-applied table behind under Kysely's stock SQLite adapter", async () => {
    // The control case: why store.ts overrides supportsTransactionalDdl.
    const path = tempDbPath();
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path) }) });
    const migrator = new Migrator({ db, provider: await providerWithBrokenMigration() });

    const { error } = await migrator.migrateToLatest();
    await db.destroy();

    expect(error).toBeInstanceOf(Error);
    expect(tableNames(path)).toContain("half_done");
  });
});
