import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AuditContext,
  type AuditEntry,
  appendAudit,
  GENESIS_HASH,
  verifyAuditChain,
} from "../../core/audit.ts";
import { newId } from "../../core/ids.ts";
import { openStore, type Store } from "../../core/store/store.ts";

const AUDIT_COLUMNS = [
  "seq",
  "id",
  "at",
  "actor_kind",
  "actor_id",
  "actor_org_id",
  "org_id",
  "action",
  "target_type",
  "target_id",
  "request_id",
  "client_addr",
  "details",
  "prev_hash",
  "hash",
];

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-audit-"));
  const store = await openStore({ path: join(dir, "partneros.db") });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

function context(n: number): AuditContext {
  return {
    actor: { kind: "user", id: `usr_actor${n}`, orgId: "org_operator" },
    requestId: `req_${n}`,
    clientAddr: "127.0.0.1",
  };
}

function entry(n: number): AuditEntry {
  return {
    action: "tenant.created",
    orgId: `org_${n}`,
    targetType: "org",
    targetId: `org_${n}`,
    details: { slug: `acme-${n}` },
  };
}

/** A store holding `count` audit records, each appended in its own transaction. */
async function storeWithChain(count: number): Promise<Store> {
  const store = await tempStore();
  for (let n = 1; n <= count; n += 1) {
    await store.transaction((tx) => appendAudit(tx, context(n), entry(n)));
  }
  return store;
}

async function idAt(store: Store, seq: number): Promise<string> {
  const row = await store.db
    .selectFrom("audit_log")
    .select("id")
    .where("seq", "=", seq)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe("verifyAuditChain", () => {
  it("accepts an intact chain and reports its length and head", async () => {
    const store = await storeWithChain(5);

    const result = await verifyAuditChain(store.db);

    const head = await store.db
      .selectFrom("audit_log")
      .select("hash")
      .where("seq", "=", 5)
      .executeTakeFirstOrThrow();
    expect(result).toEqual({ ok: true, records: 5, headHash: head.hash });
  });

  it("accepts an empty chain with the genesis hash as its head", async () => {
    const store = await tempStore();

    expect(await verifyAuditChain(store.db)).toEqual({
      ok: true,
      records: 0,
      headHash: GENESIS_HASH,
    });
  });

  it("links each record to the hash of the one before it", async () => {
    const store = await storeWithChain(4);

    const rows = await store.db.selectFrom("audit_log").selectAll().orderBy("seq").execute();

    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
  });

  it("walks a chain longer than one batch", async () => {
    const store = await storeWithChain(7);

    expect(await verifyAuditChain(store.db, 3)).toMatchObject({ ok: true, records: 7 });
  });

  it.each([
    ["id", `'${newId("audit")}'`],
    ["at", "'2000-01-01T00:00:00.000Z'"],
    ["actor_kind", "'machine'"],
    ["actor_id", "'usr_someone_else'"],
    ["actor_org_id", "'org_elsewhere'"],
    ["org_id", "'org_elsewhere'"],
    ["action", "'tenant.suspended'"],
    ["target_type", "'user'"],
    ["target_id", "'org_elsewhere'"],
    ["request_id", "'req_forged'"],
    ["client_addr", "'10.6.6.6'"],
    ["details", `'{"slug":"forged"}'`],
    ["hash", `'${"f".repeat(64)}'`],
    ["prev_hash", `'${"e".repeat(64)}'`],
  ])(
    "names record 3 as altered when its %s is changed behind the chain's back",
    async (column, value) => {
      const store = await storeWithChain(5);

      await sql.raw(`update audit_log set ${column} = ${value} where seq = 3`).execute(store.db);

      expect(await verifyAuditChain(store.db)).toEqual({
        ok: false,
        records: 2,
        firstBadSeq: 3,
        firstBadId: await idAt(store, 3),
        problem: "altered",
      });
    },
  );

  it("names record 3 as altered when it reads the chain in batches of two", async () => {
    const store = await storeWithChain(5);

    await sql`update audit_log set action = 'key.revoked' where seq = 3`.execute(store.db);

    expect(await verifyAuditChain(store.db, 2)).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      problem: "altered",
    });
  });

  it.each([1, 3, 4])("names seq %i as removed when that record is deleted", async (seq) => {
    const store = await storeWithChain(5);

    await sql`delete from audit_log where seq = ${seq}`.execute(store.db);

    expect(await verifyAuditChain(store.db)).toEqual({
      ok: false,
      records: seq - 1,
      firstBadSeq: seq,
      firstBadId: null,
      problem: "removed",
    });
  });

  it("names the first of several deleted records", async () => {
    const store = await storeWithChain(6);

    await sql`delete from audit_log where seq in (2, 3, 5)`.execute(store.db);

    expect(await verifyAuditChain(store.db)).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      problem: "removed",
    });
  });

  it("reports a new head once the newest record is cut off (anchors notice)", async () => {
    const store = await storeWithChain(5);
    const before = await verifyAuditChain(store.db);

    await sql`delete from audit_log where seq = 5`.execute(store.db);

    const after = await verifyAuditChain(store.db);
    expect(before.ok && after.ok).toBe(true);
    if (before.ok && after.ok) {
      expect(after.records).toBe(4);
      expect(after.headHash).not.toBe(before.headHash);
    }
  });
});

describe("appendAudit", () => {
  it("leaves neither change nor record when the transaction throws after appending", async () => {
    const store = await storeWithChain(2);
    const orgId = newId("org");

    const attempt = store.transaction(async (tx) => {
      const now = new Date().toISOString();
      await tx
        .insertInto("orgs")
        .values({
          id: orgId,
          slug: "doomed",
          name: "Doomed",
          account_type: "partner",
          status: "active",
          created_at: now,
          updated_at: now,
        })
        .execute();
      await appendAudit(tx, context(3), { ...entry(3), orgId, targetId: orgId });
      throw new Error("boom after the audit record");
    });

    await expect(attempt).rejects.toThrow("boom after the audit record");
    const orgs = await store.db.selectFrom("orgs").select("id").where("id", "=", orgId).execute();
    const records = await store.db.selectFrom("audit_log").select("seq").execute();
    expect(orgs).toEqual([]);
    expect(records.map((r) => r.seq).sort()).toEqual([1, 2]);
    expect(await verifyAuditChain(store.db)).toMatchObject({ ok: true, records: 2 });
  });

  it("continues the chain without a gap after a rolled-back append", async () => {
    const store = await storeWithChain(2);

    await store
      .transaction(async (tx) => {
        await appendAudit(tx, context(3), entry(3));
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    await store.transaction((tx) => appendAudit(tx, context(4), entry(4)));

    const rows = await store.db.selectFrom("audit_log").select(["seq", "request_id"]).execute();
    expect(rows).toEqual([
      { seq: 1, request_id: "req_1" },
      { seq: 2, request_id: "req_2" },
      { seq: 3, request_id: "req_4" },
    ]);
    expect(await verifyAuditChain(store.db)).toMatchObject({ ok: true, records: 3 });
  });

  it("keeps one unbroken chain when many transactions append at once", async () => {
    const store = await tempStore();

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction((tx) => appendAudit(tx, context(i), entry(i))),
      ),
    );

    expect(await verifyAuditChain(store.db)).toMatchObject({ ok: true, records: 20 });
  });

  it("stores exactly the schema's columns, whatever else the caller passes", async () => {
    const store = await tempStore();
    const secret = "pos_key_DoNotStoreThisSecretValue";
    const sloppyContext = {
      ...context(1),
      actor: { ...context(1).actor, token: secret, permissions: ["owner.everything"] },
      authorization: `Bearer ${secret}`,
    } as unknown as AuditContext;
    const sloppyEntry = {
      ...entry(1),
      password: secret,
      body: { token: secret },
    } as unknown as AuditEntry;

    await store.transaction((tx) => appendAudit(tx, sloppyContext, sloppyEntry));

    const columns = await sql<{ name: string }>`pragma table_info(audit_log)`.execute(store.db);
    const row = await store.db.selectFrom("audit_log").selectAll().executeTakeFirstOrThrow();
    expect(columns.rows.map((c) => c.name)).toEqual(AUDIT_COLUMNS);
    expect(Object.keys(row).sort()).toEqual([...AUDIT_COLUMNS].sort());
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.parse(row.details)).toEqual({ slug: "acme-1" });
  });

  it("stores an empty details object when the entry has none", async () => {
    const store = await tempStore();
    const { details: _, ...bare } = entry(1);

    await store.transaction((tx) => appendAudit(tx, context(1), bare));

    const row = await store.db.selectFrom("audit_log").selectAll().executeTakeFirstOrThrow();
    expect(row.details).toBe("{}");
    expect(await verifyAuditChain(store.db)).toMatchObject({ ok: true, records: 1 });
  });
});
