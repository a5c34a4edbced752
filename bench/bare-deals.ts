// The baseline of the deal reads: raw better-sqlite3 prepared statements on a
// read-only connection of their own, with no authentication, no scope
// resolution, no validation and no query builder. The org of the list is a
// bound constant, so both sides walk the same index: the ratio then measures
// what the daemon adds, not a different query plan.
import type { OpenAPIHono } from "@hono/zod-openapi";
import SQLite from "better-sqlite3";
import type { DealTable } from "../core/store/schema.ts";
import type { AppEnv } from "../daemon/env.ts";

export const BARE_DEALS_PATH = "/bench/bare-deals";
export const BARE_DEAL_PATH = "/bench/bare-deal";
export const BARE_DEAL_ROUTE_KEYS = [`GET ${BARE_DEALS_PATH}`, `GET ${BARE_DEAL_PATH}/:id`];

/** Rows per page of the list; the daemon's default `limit`. */
export const PAGE_SIZE = 50;

export interface BareDeals {
  /** Mounts both routes; pass it to createApp's `extra`. */
  mount(app: OpenAPIHono<AppEnv>): void;
  /** Sets the org whose first page the list answers, once it exists. */
  listOrg(orgId: string): void;
  close(): void;
}

export function openBareDeals(path: string): BareDeals {
  const db = new SQLite(path, { readonly: true });
  const list = db.prepare<[string, number], DealTable>(
    "select * from deals where org_id = ? order by created_at asc, id asc limit ?",
  );
  const one = db.prepare<[string], DealTable>("select * from deals where id = ?");
  let orgId = "";
  return {
    mount(app) {
      app.get(BARE_DEALS_PATH, (c) => {
        const rows = list.all(orgId, PAGE_SIZE + 1);
        const page = rows.slice(0, PAGE_SIZE);
        const last = page.at(-1);
        const more = rows.length > PAGE_SIZE && last !== undefined;
        return c.json({
          data: page.map(dealJson),
          nextCursor: more ? cursor(last.created_at, last.id) : null,
        });
      });
      app.get(`${BARE_DEAL_PATH}/:id`, (c) => {
        const row = one.get(c.req.param("id"));
        return row ? c.json(dealJson(row)) : c.json({ error: "not found" }, 404);
      });
    },
    listOrg(id) {
      orgId = id;
    },
    close() {
      db.close();
    },
  };
}

/** The public shape of a deal, keys in the order the API writes them. */
function dealJson(row: DealTable) {
  return {
    id: row.id,
    orgId: row.org_id,
    externalRef: row.external_ref,
    productId: row.product_id,
    customerId: row.customer_id,
    stage: row.stage,
    amount: row.amount,
    currency: row.currency,
    engageDate: row.engage_date,
    closeDate: row.close_date,
    ownerUserId: row.owner_user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The keyset cursor of the default sort: created_at, then id. */
function cursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), "utf8").toString("base64url");
}
