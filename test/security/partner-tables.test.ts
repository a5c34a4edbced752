import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { PARTNER_TABLES } from "../../core/tenancy/partner-data.ts";

const ROOT = join(import.meta.dirname, "../..");
const SOURCE_DIRS = ["core", "daemon", "cli", "bin", "scripts"];

/** The one module allowed to name a partner table, and the schema that defines them. */
const ALLOWED = new Set([
  "core/tenancy/partner-data.ts",
  "core/store/schema.ts",
  "core/store/migrations.ts",
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Finds query-builder calls and raw SQL that name a table, however the name is quoted. */
function tableReferences(source: string, table: string): string[] {
  const builder = new RegExp(
    String.raw`\b(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|` +
      String.raw`innerJoin|leftJoin|rightJoin|fullJoin|with)\(\s*["'\`]${table}\b`,
    "g",
  );
  const rawSql = new RegExp(String.raw`\b(from|join|into|update)\s+["\`]?${table}\b`, "gi");
  return [...(source.match(builder) ?? []), ...(source.match(rawSql) ?? [])];
}

describe("partner tables", () => {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)));

  it("finds the source tree it guards", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.map((f) => relative(ROOT, f))).toContain("core/tenancy/partner-data.ts");
  });

  it.each(PARTNER_TABLES)("are named by no module but the scoping one: %s", (table) => {
    const offenders = files
      .map((file) => ({
        file: relative(ROOT, file),
        hits: tableReferences(readFileSync(file, "utf8"), table),
      }))
      .filter(({ file, hits }) => hits.length > 0 && !ALLOWED.has(file));
    expect(offenders).toEqual([]);
  });

  it.each([
    ['db.selectFrom("deals")', "deals"],
    ["tx.insertInto('customers')", "customers"],
    ["trx.updateTable(`deals`)", "deals"],
    ['.innerJoin("customers as c", "c.id", "d.customer_id")', "customers"],
    ["sql`select * from deals where id = ?`", "deals"],
    ['sql`DELETE FROM "customers"`', "customers"],
  ])("recognises an unscoped query written as %s", (snippet, table) => {
    expect(tableReferences(snippet, table)).not.toEqual([]);
  });

  it("does not flag words that only look like table names", () => {
    expect(
      tableReferences('const deals = listDeals(ctx, scope, filter); // "deals" page', "deals"),
    ).toEqual([]);
  });
});
