import { type ImportTiming, landed } from "./import-time.ts";
import type { Measurement } from "./measure.ts";
import type { RollupReport } from "./rollup.ts";
import type { SecretsReport } from "./secrets.ts";
import { median } from "./stats.ts";

export interface RouteSummary {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerRequest: number;
  serverCores: number;
  runs: number[];
}

/** Median of each figure over the runs of one route. */
export function summarize(label: string, results: readonly Measurement[]): RouteSummary {
  return {
    label,
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    serverCpuUsPerRequest: median(results.map((r) => r.serverCpuUsPerRequest)),
    serverCores: median(results.map((r) => r.serverCores)),
    runs: results.map((r) => Math.round(r.requestsPerSecond)),
  };
}

export interface Ratios {
  /** Short name of the measured route, as in `me/bare`. */
  name: string;
  /** Measured throughput over bare throughput: the figure the target applies to. */
  throughput: number;
  /** Bare server CPU per request over measured: the same ratio, free of the load generator. */
  serverCpu: number;
  target: number;
}

/** Columns padded to the widest cell; the first column left-aligned, the rest right. */
function grid(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  return [line(header), ...body.map(line)];
}

/** The human table: one row per route, then each route's ratios against the target. */
export function formatTable(rows: readonly RouteSummary[], ratios: readonly Ratios[]): string {
  const header = [
    "route",
    "req/s",
    "p50 ms",
    "p99 ms",
    "server CPU µs/req",
    "server cores",
    "runs (req/s)",
  ];
  const body = rows.map((r) => [
    r.label,
    String(Math.round(r.requestsPerSecond)),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    r.serverCpuUsPerRequest.toFixed(0),
    r.serverCores.toFixed(2),
    r.runs.join(", "),
  ]);
  const lines = ratios.flatMap((r) => [
    `ratio ${r.name}/bare req/s: ${r.throughput.toFixed(3)}  ` +
      `(target ${r.target.toFixed(2)})  ${r.throughput >= r.target ? "PASS" : "BELOW"}`,
    `ratio bare/${r.name} server CPU per request: ${r.serverCpu.toFixed(3)}`,
  ]);
  return [
    ...grid(header, body),
    "",
    ...lines,
    "(the server CPU ratio is free of the load generator, which shares the machine)",
  ].join("\n");
}

/** Seeding, then one row per aggregate and the query plan of each one over target. */
export function formatRollup(report: RollupReport, targetMs: number): string {
  const { seed } = report;
  const header = [
    "cross-partner query",
    "service ms",
    "raw SQL ms",
    "rows",
    "verdict",
    "service runs",
  ];
  const body = report.timings.map((t) => [
    t.label,
    t.serviceMs.toFixed(1),
    t.rawMs.toFixed(1),
    String(t.rows),
    t.serviceMs <= targetMs ? "PASS" : "BELOW",
    t.serviceRuns.map((ms) => ms.toFixed(0)).join(", "),
  ]);
  const plans = report.timings
    .filter((t) => t.serviceMs > targetMs)
    .flatMap((t) => [`plan of "${t.label}":`, ...t.plan.map((step) => `  ${step}`)]);
  return [
    `seeded ${seed.deals.toLocaleString("en")} deals (${seed.partners} partners) in ` +
      `${(seed.seedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(seed.deals / (seed.seedMs / 1000)).toLocaleString("en")} rows/s), ` +
      `store ${(seed.dbBytes / 1e6).toFixed(0)} MB`,
    "",
    ...grid(header, body),
    "",
    `target ${targetMs} ms for the service call (audit writes included); raw SQL is the ` +
      "aggregate statement alone on a read-only better-sqlite3 connection",
    ...plans,
  ].join("\n");
}

export function formatImport(timing: ImportTiming): string {
  if (timing.status === "skipped") return `import: skipped (${timing.reason})`;
  const counts = Object.entries(timing.entities)
    .map(([entity, outcomes]) => `${entity} ${landed(outcomes)}`)
    .join(", ");
  return (
    `import of the sample data: ${(timing.importMs / 1000).toFixed(2)} s wall ` +
    `(CLI start-up included), ${timing.deals} deals, ` +
    `${Math.round(timing.dealsPerSecond)} deals/s  [${counts}]`
  );
}

/** The secrets figures: use against raw decryption, rotation, reads idle and during it. */
export function formatSecrets(report: SecretsReport): string {
  const { use, rotation } = report;
  const p99Ratio = rotation.during.p99Ms / Math.max(rotation.idle.p99Ms, 1);
  const read = (label: string, m: SecretsReport["rotation"]["idle"]) =>
    `  ${label.padEnd(16)} ` +
    `${Math.round(m.requestsPerSecond).toLocaleString("en-US").padStart(7)} ` +
    `req/s   p50 ${String(m.p50Ms).padStart(3)} ms   p99 ${String(m.p99Ms).padStart(3)} ms`;
  return [
    `decrypt-and-use: ${Math.round(use.perSecond).toLocaleString("en-US")}/s through ` +
      `useCredential (scoped read + AES-256-GCM) vs ` +
      `${Math.round(use.rawPerSecond).toLocaleString("en-US")}/s bare decipher of the same ` +
      `bytes: ratio ${use.ratio.toFixed(2)}`,
    `rotation of ${rotation.secrets.toLocaleString("en-US")} stored secrets: ` +
      `${(rotation.rotateMs / 1000).toFixed(1)} s, ` +
      `${Math.round(rotation.rowsPerSecond).toLocaleString("en-US")} rows/s ` +
      `(seeded in ${(rotation.seedMs / 1000).toFixed(1)} s)`,
    "GET /v1/credentials/{id} (partner machine key):",
    read("idle", rotation.idle),
    read("during rotation", rotation.during),
    `  p99 during / idle: ${p99Ratio.toFixed(1)}×`,
  ].join("\n");
}
