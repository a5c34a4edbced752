import type { Measurement } from "./measure.ts";

export interface RouteSummary {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerRequest: number;
  serverCores: number;
  runs: number[];
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
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
  /** Authenticated throughput over bare throughput: the figure the target applies to. */
  throughput: number;
  /** Bare server CPU per request over authenticated: the same ratio, free of the load generator. */
  serverCpu: number;
  target: number;
}

/** The human table: one row per route, then the ratios against the target. */
export function formatTable(rows: readonly RouteSummary[], ratios: Ratios): string {
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
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)));
  const verdict = ratios.throughput >= ratios.target ? "PASS" : "BELOW";
  return [
    line(header).join("  "),
    ...body.map((row) => line(row).join("  ")),
    "",
    `ratio me/bare req/s: ${ratios.throughput.toFixed(3)}  ` +
      `(target ${ratios.target.toFixed(2)})  ${verdict}`,
    `ratio bare/me server CPU per request: ${ratios.serverCpu.toFixed(3)}  (for reference: ` +
      "free of the load generator, which shares the machine)",
  ].join("\n");
}
