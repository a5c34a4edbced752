// Gives partner orgs of the bench world a catalogue, customers and many deals:
// products and customers through the API (so they are valid), deals through
// one prepared insert in one transaction, for speed.
import SQLite from "better-sqlite3";
import { call } from "./http.ts";
import { CATALOGUE, dealValues, INSERT_DEAL_SQL, seeded } from "./synthetic-deals.ts";

const CUSTOMERS_PER_ORG = 40;

export interface SeededOrg {
  slug: string;
  id: string;
  /** Deal ids in insert order. */
  dealIds: string[];
}

/** Creates the catalogue as the operator; returns product ids in CATALOGUE order. */
export async function createCatalogue(url: string, operatorToken: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [name, series, price] of CATALOGUE) {
    const product = await call(url, "POST", "/v1/products", operatorToken, {
      name,
      series,
      listPrice: price * 100,
      currency: "USD",
    });
    ids.push(product.id);
  }
  return ids;
}

/**
 * Seeds each org with customers (through the batch API, as the operator) and
 * `dealsPerOrg` deals written straight into the store's file. Deals of the
 * orgs share their creation times, so only the org filter tells them apart.
 */
export async function seedPartnerDeals(
  url: string,
  operatorToken: string,
  dbPath: string,
  orgs: readonly { slug: string; id: string }[],
  productIds: readonly string[],
  dealsPerOrg: number,
): Promise<SeededOrg[]> {
  const customers = new Map<string, string[]>();
  for (const org of orgs) {
    const items = Array.from({ length: CUSTOMERS_PER_ORG }, (_, i) => ({
      externalRef: `ACC-${i}`,
      name: `Customer ${i} of ${org.slug}`,
      sector: i % 2 === 0 ? "retail" : "medical",
      country: "United States",
    }));
    const result = await call(url, "POST", `/v1/customers/batch?org=${org.slug}`, operatorToken, {
      items,
    });
    customers.set(
      org.id,
      result.results.map((r: { id: string }) => r.id),
    );
  }

  const db = new SQLite(dbPath);
  try {
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    const insert = db.prepare(INSERT_DEAL_SQL);
    return db.transaction(() =>
      orgs.map((org, o) => {
        const source = {
          orgId: org.id,
          productIds,
          customerIds: customers.get(org.id) ?? [],
          currency: "USD",
          random: seeded(o + 1),
        };
        const dealIds: string[] = [];
        for (let d = 0; d < dealsPerOrg; d++) {
          const values = dealValues(source, d);
          insert.run(values);
          dealIds.push(values[0] as string);
        }
        return { ...org, dealIds };
      }),
    )();
  } finally {
    db.close();
  }
}
