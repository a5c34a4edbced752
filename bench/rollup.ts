// The cross-partner aggregate on a large store: the service call an operator
// makes, timed in-process, next to the same SQL run raw through better-sqlite3.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Compilable, CompiledQuery } from "kysely";
import type { Actor } from "../core/actor.ts";
import type { ServiceContext } from "../core/services/context.ts";
import { type CrossPartnerQuery, queryCrossPartnerDeals } from "../core/services/cross-partner.ts";
import { openStore, type Store } from "../core/store/store.ts";
import { rebuildDailyTotals } from "../core/tenancy/partner-data.ts";
import { type RollupSeed, seedRollupStore } from "./rollup-seed.ts";
import { median } from "./stats.ts";

export interface RollupCase {
  label: string;
  query: Omit<CrossPartnerQuery, "reason">;
}

export const ROLLUP_CASES: readonly RollupCase[] = [
  {
    label: "all partners, by partner, stage Won",
    query: { partners: "all", groupBy: "partner", stage: "Won" },
  },
  { label: "all partners, by month", query: { partners: "all", groupBy: "month" } },
  {
    label: "all partners, by product, closed 2017-01-01..2017-06-30",
    query: { partners: "all", groupBy: "product", since: "2017-01-01", until: "2017-06-30" },
  },
];

export interface RollupTiming {
  label: string;
  /** Median wall time of queryCrossPartnerDeals, audit writes included. */
  serviceMs: number;
  /** Median wall time of the aggregate statement alone on a raw connection. */
  rawMs: number;
  serviceRuns: number[];
  rawRuns: number[];
  rows: number;
  /** EXPLAIN QUERY PLAN of the aggregate statement. */
  plan: string[];
}

export interface RollupOptions {
  partners: number;
  dealsPerPartner: number;
  warmups: number;
  runs: number;
}

export interface RollupReport {
  seed: RollupSeed;
  timings: RollupTiming[];
}

/** Seeds a throwaway store, then times every case; the temp dir is removed after. */
export async function runRollupBench(options: RollupOptions): Promise<RollupReport> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-rollup-"));
  const path = join(dir, "partneros.db");
  try {
    const store = await openStore({ path });
    let raw: SQLite.Database | undefined;
    try {
      const seed = seedRollupStore(path, options.partners, options.dealsPerPartner);
      // Raw inserts bypass the deal service, so its daily totals are rebuilt once.
      await store.transaction((tx) => rebuildDailyTotals(tx));
      raw = new SQLite(path, { readonly: true });
      const ctx = operatorContext(store, seed.operatorOrgId);
      const timings: RollupTiming[] = [];
      for (const c of ROLLUP_CASES) timings.push(await timeCase(ctx, raw, c, options));
      return { seed, timings };
    } finally {
      raw?.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function operatorContext(store: Store, orgId: string): ServiceContext {
  const actor: Actor = {
    kind: "user",
    id: "usr_bench0000000000000000",
    orgId,
    orgSlug: "operator",
    accountType: "operator",
    role: "analyst",
    permissions: new Set(["cross_partner.read"]),
    credentialId: "ses_bench0000000000000000",
  };
  return { store, actor, requestId: null, clientAddr: null };
}

/** A store that hands every read on and remembers the SQL it ran, to replay it raw. */
function recording(store: Store, seen: CompiledQuery[]): Store {
  return {
    ...store,
    readAll<R>(query: Compilable<R>) {
      seen.push(query.compile());
      return store.readAll(query);
    },
  };
}

async function timeCase(
  ctx: ServiceContext,
  raw: SQLite.Database,
  c: RollupCase,
  options: RollupOptions,
): Promise<RollupTiming> {
  const query: CrossPartnerQuery = { ...c.query, reason: "benchmark of the rollup" };
  // The first warm-up also records the SQL the service runs, to replay it raw.
  const seen: CompiledQuery[] = [];
  const first = await queryCrossPartnerDeals({ ...ctx, store: recording(ctx.store, seen) }, query);
  // The statement that reads deal rows or the daily totals (the service may
  // answer from either, depending on the grouping).
  const aggregate = seen.find((q) => /\bfrom "(deals|deal_daily_totals)"/i.test(q.sql));
  if (!aggregate) throw new Error(`${c.label}: the service ran no aggregate statement`);

  const serviceRuns: number[] = [];
  for (let i = 1; i < Math.max(options.warmups, 1) + options.runs; i++) {
    const started = performance.now();
    await queryCrossPartnerDeals(ctx, query);
    if (i >= options.warmups) serviceRuns.push(performance.now() - started);
  }

  const statement = raw.prepare(aggregate.sql);
  const parameters = aggregate.parameters as unknown[];
  const rawRuns: number[] = [];
  // The service folds partial groups, so the two are compared by deals counted.
  let rawDeals = 0;
  for (let i = 0; i < options.warmups + options.runs; i++) {
    const started = performance.now();
    const rows = statement.all(...parameters) as { deals: number }[];
    if (i >= options.warmups) rawRuns.push(performance.now() - started);
    rawDeals = rows.reduce((sum, row) => sum + Number(row.deals), 0);
  }
  const serviceDeals = first.rows.reduce((sum, row) => sum + row.deals, 0);
  const plan = raw
    .prepare(`explain query plan ${aggregate.sql}`)
    .all(...parameters)
    .map((row) => (row as { detail: string }).detail);

  if (rawDeals !== serviceDeals) {
    throw new Error(`${c.label}: raw SQL counted ${rawDeals} deals, the service ${serviceDeals}`);
  }
  return {
    label: c.label,
    serviceMs: median(serviceRuns),
    rawMs: median(rawRuns),
    serviceRuns,
    rawRuns,
    rows: first.rows.length,
    plan,
  };
}
