// Fills a fresh store with many partner orgs and their deals for the
// cross-partner aggregate: raw prepared inserts in a few big transactions.
import SQLite from "better-sqlite3";
import { newId } from "../core/ids.ts";
import { productCode } from "../core/services/products.ts";
import { CATALOGUE, dealValues, INSERT_DEAL_SQL, seeded } from "./synthetic-deals.ts";

export interface RollupSeed {
  operatorOrgId: string;
  partners: number;
  deals: number;
  /** Wall time of the deal inserts alone (orgs and products are negligible). */
  seedMs: number;
  dbBytes: number;
}

const ORGS_PER_TRANSACTION = 100;
// Random ids land all over the primary key and the org indexes: a page cache of
// this size keeps the hot index pages resident without growing the process much.
const SEED_CACHE_KIB = 65_536;

/**
 * Seeds `partners` partner orgs with `dealsPerPartner` deals each into the
 * migrated store file at `path`, through a connection of its own. Every eighth partner
 * sells in EUR, so grouping by currency has something to split.
 */
export function seedRollupStore(
  path: string,
  partners: number,
  dealsPerPartner: number,
): RollupSeed {
  const db = new SQLite(path);
  try {
    db.pragma("foreign_keys = ON");
    db.pragma(`cache_size = -${SEED_CACHE_KIB}`);
    const now = new Date().toISOString();
    const insertOrg = db.prepare(
      "insert into orgs (id, slug, name, account_type, status, created_at, updated_at) " +
        "values (?, ?, ?, ?, 'active', ?, ?)",
    );
    const insertProduct = db.prepare(
      "insert into products (id, code, name, series, list_price, currency, created_at, " +
        "updated_at) values (?, ?, ?, ?, ?, 'USD', ?, ?)",
    );
    const operatorOrgId = newId("org");
    const orgIds = Array.from({ length: partners }, () => newId("org"));
    const productIds = CATALOGUE.map(() => newId("product"));
    db.transaction(() => {
      insertOrg.run(operatorOrgId, "operator", "Operator", "operator", now, now);
      orgIds.forEach((id, i) => {
        const slug = `partner-${String(i).padStart(4, "0")}`;
        insertOrg.run(id, slug, `Partner ${i}`, "partner", now, now);
      });
      CATALOGUE.forEach(([name, series, price], i) => {
        insertProduct.run(productIds[i], productCode(name), name, series, price * 100, now, now);
      });
    })();

    const insertDeal = db.prepare(INSERT_DEAL_SQL);
    const insertOrgs = db.transaction((first: number) => {
      for (let o = first; o < Math.min(first + ORGS_PER_TRANSACTION, partners); o++) {
        const source = {
          orgId: orgIds[o] as string,
          productIds,
          customerIds: [],
          currency: o % 8 === 0 ? "EUR" : "USD",
          random: seeded(o + 1),
        };
        for (let d = 0; d < dealsPerPartner; d++) insertDeal.run(dealValues(source, d));
      }
    });
    const started = performance.now();
    for (let first = 0; first < partners; first += ORGS_PER_TRANSACTION) insertOrgs(first);
    const seedMs = performance.now() - started;
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pages = db.pragma("page_count", { simple: true }) as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    return {
      operatorOrgId,
      partners,
      deals: partners * dealsPerPartner,
      seedMs,
      dbBytes: pages * pageSize,
    };
  } finally {
    db.close();
  }
}
