// `npm run bench`: requests per second of keyed routes next to bare routes
// answering the same bytes without authentication, on one server; then the
// cross-partner aggregate on a million deals; then stored secrets (decrypt and
// use, and a master-key rotation of a million of them under read load); then
// the sample-data import.
// It only reports; it fails only when the run itself went wrong.
import { availableParallelism } from "node:os";
import { BARE_DEALS_PATH } from "./bare-deals.ts";
import { runDeliveryBench } from "./delivery.ts";
import { formatEvents, runEventsBench } from "./events.ts";
import { timeSampleImport } from "./import-time.ts";
import { type LoadJob, type Measurement, measure } from "./measure.ts";
import {
  formatImport,
  formatRollup,
  formatSecrets,
  formatTable,
  type Ratios,
  type RouteSummary,
  summarize,
} from "./report.ts";
import { runRollupBench } from "./rollup.ts";
import { runSecretsBench } from "./secrets.ts";
import { median } from "./stats.ts";
import { BARE_PATH, type BenchWorld, DEALS_PATH, ME_PATH, startBenchWorld } from "./world.ts";

const CONNECTIONS = 32;
const WARMUP_SECONDS = 2;
const SECONDS = 5;
const ROUNDS = 2;
const TARGET_RATIO = 0.8;

const ROLLUP = { partners: 1_000, dealsPerPartner: 1_000, warmups: 1, runs: 5 };
const ROLLUP_TARGET_MS = 200;

/** Reads during the rotation come from a few connections: latency, not saturation. */
const SECRETS = { secrets: 1_000_000, connections: 4, seconds: 10 };

/** A keyed route and the bare route answering the same bytes. */
interface Pair {
  bench: string;
  name: string;
  subject: { label: string; job: LoadJob };
  bare: { label: string; job: LoadJob };
}

function pairs(world: BenchWorld): Pair[] {
  const job = (path: string, token?: string): LoadJob => ({
    url: world.url,
    path,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
  });
  // Labels show `{id}` for the deal id, which would only widen the table.
  const shown = (path: string) => path.replace(world.dealId, "{id}");
  const pair = (bench: string, name: string, path: string, barePath: string): Pair => ({
    bench,
    name,
    subject: { label: `GET ${shown(path)} (machine key)`, job: job(path, world.keyToken) },
    bare: { label: `GET ${shown(barePath)} (no auth)`, job: job(barePath) },
  });
  return [
    pair("me-vs-bare", "me", ME_PATH, BARE_PATH),
    pair("deals-list-vs-bare", "deals", DEALS_PATH, BARE_DEALS_PATH),
    pair("deal-get-vs-bare", "deal", world.dealPath, world.bareDealPath),
  ];
}

async function httpBench(): Promise<void> {
  const world = await startBenchWorld();
  const measured = new Map<string, { subject: Measurement[]; bare: Measurement[] }>();
  let routes: Pair[] = [];
  try {
    routes = pairs(world);
    for (const p of routes) measured.set(p.bench, { subject: [], bare: [] });
    console.log(
      `PartnerOS bench: ${CONNECTIONS} connections, pipelining 1, ` +
        `${WARMUP_SECONDS} s warm-up + ${SECONDS} s per run, ${ROUNDS} rounds ` +
        `(node ${process.version}, ${availableParallelism()} CPUs; bodies: ` +
        `me ${world.meBody.length} B, deals page ${world.dealsBody.length} B, ` +
        `deal ${world.dealBody.length} B; ${world.dealsPerPartner} deals in each of 2 partners)`,
    );
    // Alternating the routes spreads any drift of a shared machine over all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of routes) {
        const runs = measured.get(p.bench);
        runs?.bare.push(await measure(p.bare.job));
        runs?.subject.push(await measure(p.subject.job));
      }
    }
  } finally {
    await world.stop();
  }

  // Figures from a run with failed requests measure the failures: report none of them.
  const all = [...measured.values()].flatMap((m) => [...m.subject, ...m.bare]);
  const failures = all.filter((r) => r.errors > 0 || Object.keys(r.unexpected).length > 0);
  if (failures.length > 0) {
    const detail = failures.map((r) => JSON.stringify({ errors: r.errors, ...r.unexpected }));
    throw new Error(`the run saw failed requests: ${detail.join(" ")}`);
  }

  const rows: RouteSummary[] = [];
  const ratios: Ratios[] = [];
  const lines: string[] = [];
  for (const p of routes) {
    const runs = measured.get(p.bench) ?? { subject: [], bare: [] };
    const bare = summarize(p.bare.label, runs.bare);
    const subject = summarize(p.subject.label, runs.subject);
    const r = {
      name: p.name,
      throughput: subject.requestsPerSecond / bare.requestsPerSecond,
      serverCpu: bare.serverCpuUsPerRequest / subject.serverCpuUsPerRequest,
      target: TARGET_RATIO,
    };
    rows.push(bare, subject);
    ratios.push(r);
    lines.push(
      JSON.stringify({
        bench: p.bench,
        node: process.version,
        cpus: availableParallelism(),
        connections: CONNECTIONS,
        seconds: SECONDS,
        rounds: ROUNDS,
        bare: figures(bare),
        [p.name]: figures(subject),
        ratio: round3(r.throughput),
        serverCpuRatio: round3(r.serverCpu),
        target: TARGET_RATIO,
        pass: r.throughput >= TARGET_RATIO,
      }),
    );
  }
  console.log(`\n${formatTable(rows, ratios)}\n`);
  for (const line of lines) console.log(line);
}

async function rollupBench(): Promise<void> {
  console.log(
    `\ncross-partner aggregate: seeding ${ROLLUP.partners} partners × ` +
      `${ROLLUP.dealsPerPartner} deals into a temp store, then queryCrossPartnerDeals ` +
      `as an operator (median of ${ROLLUP.runs} after ${ROLLUP.warmups} warm-up)…`,
  );
  const report = await runRollupBench(ROLLUP);
  console.log(`${formatRollup(report, ROLLUP_TARGET_MS)}\n`);
  console.log(
    JSON.stringify({
      bench: "cross-partner",
      partners: report.seed.partners,
      deals: report.seed.deals,
      seedMs: Math.round(report.seed.seedMs),
      dbBytes: report.seed.dbBytes,
      targetMs: ROLLUP_TARGET_MS,
      cases: report.timings.map((t) => ({
        label: t.label,
        serviceMs: round3(t.serviceMs),
        rawMs: round3(t.rawMs),
        rows: t.rows,
        pass: t.serviceMs <= ROLLUP_TARGET_MS,
        serviceRuns: t.serviceRuns.map(round3),
        rawRuns: t.rawRuns.map(round3),
      })),
    }),
  );
}

async function secretsBench(): Promise<void> {
  console.log(
    `\nstored secrets: decrypt-and-use, then ${SECRETS.secrets.toLocaleString("en-US")} ` +
      `SMTP credentials re-sealed by a master-key rotation while ${SECRETS.connections} ` +
      `connections read one for ${SECRETS.seconds} s, against the same reads idle…`,
  );
  const report = await runSecretsBench(SECRETS);
  console.log(formatSecrets(report));
  const { use, rotation } = report;
  const reads = (m: Measurement) => ({
    rps: Math.round(m.requestsPerSecond),
    p50Ms: m.p50Ms,
    p99Ms: m.p99Ms,
  });
  console.log(
    JSON.stringify({
      bench: "secrets",
      usePerSecond: Math.round(use.perSecond),
      rawDecryptPerSecond: Math.round(use.rawPerSecond),
      useRatio: round3(use.ratio),
      rotation: {
        secrets: rotation.secrets,
        seedMs: Math.round(rotation.seedMs),
        rotateMs: Math.round(rotation.rotateMs),
        rowsPerSecond: Math.round(rotation.rowsPerSecond),
        idle: reads(rotation.idle),
        during: reads(rotation.during),
        p99Ratio: round3(rotation.during.p99Ms / Math.max(rotation.idle.p99Ms, 1)),
      },
    }),
  );
}

/** Webhook delivery: enough messages for a steady rate, twice, alternated with the baseline. */
const DELIVERY = { messages: 2_000, concurrency: 8, rounds: 2 };

async function deliveryBench(): Promise<void> {
  console.log(
    `\nwebhook delivery: ${DELIVERY.messages.toLocaleString("en-US")} queued messages to a ` +
      `receiver on loopback, ${DELIVERY.concurrency} at a time, through the worker and as ` +
      `plain signed POSTs with no store, ${DELIVERY.rounds} rounds…`,
  );
  const report = await runDeliveryBench(DELIVERY);
  const worker = median(report.worker);
  const baseline = median(report.baseline);
  console.log(
    `  worker   ${Math.round(worker).toLocaleString("en-US")} deliveries/s ` +
      `(runs ${report.worker.map(Math.round).join(", ")})\n` +
      `  baseline ${Math.round(baseline).toLocaleString("en-US")} POSTs/s ` +
      `(runs ${report.baseline.map(Math.round).join(", ")})\n` +
      `  ratio    ${round3(worker / baseline)}`,
  );
  console.log(
    JSON.stringify({
      bench: "delivery",
      messages: report.messages,
      concurrency: report.concurrency,
      deliveriesPerSecond: Math.round(worker),
      baselinePerSecond: Math.round(baseline),
      ratio: round3(worker / baseline),
      workerRuns: report.worker.map(Math.round),
      baselineRuns: report.baseline.map(Math.round),
    }),
  );
}

/** Event ingest: batches of 500, without webhooks and with 3 endpoints on every type. */
const EVENTS = { batchSize: 500, batchesPerRound: 30, rounds: 3, inFlight: 2, endpoints: 3 };

async function eventsBench(): Promise<void> {
  console.log(
    `\nevent ingest: POST /v1/events in batches of ${EVENTS.batchSize}, ${EVENTS.inFlight} in ` +
      `flight, ${EVENTS.rounds} alternating rounds of ${EVENTS.batchesPerRound} batches, for a ` +
      `partner without webhook endpoints and one with ${EVENTS.endpoints} on every type…`,
  );
  const report = await runEventsBench(EVENTS);
  console.log(formatEvents(report));
  console.log(
    JSON.stringify({
      bench: "events",
      batchSize: report.batchSize,
      inFlight: report.inFlight,
      plainEventsPerSecond: Math.round(report.plain.eventsPerSecond),
      hookedEventsPerSecond: Math.round(report.hooked.eventsPerSecond),
      ratio: round3(report.ratio),
      endpoints: report.hooked.endpoints,
      deliveriesQueued: report.hooked.deliveries,
      plainRuns: report.plain.rounds.map(Math.round),
      hookedRuns: report.hooked.rounds.map(Math.round),
    }),
  );
}

async function importBench(): Promise<void> {
  const timing = await timeSampleImport();
  console.log(`\n${formatImport(timing)}`);
  console.log(
    JSON.stringify(
      timing.status === "skipped"
        ? { bench: "import", skipped: timing.reason }
        : {
            bench: "import",
            importMs: Math.round(timing.importMs),
            deals: timing.deals,
            dealsPerSecond: Math.round(timing.dealsPerSecond),
          },
    ),
  );
}

function figures(summary: RouteSummary) {
  return {
    rps: Math.round(summary.requestsPerSecond),
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    serverCpuUsPerRequest: Math.round(summary.serverCpuUsPerRequest),
    serverCores: round3(summary.serverCores),
    runs: summary.runs,
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const SECTIONS: Record<string, () => Promise<void>> = {
  http: httpBench,
  rollup: rollupBench,
  secrets: secretsBench,
  import: importBench,
  events: eventsBench,
  delivery: deliveryBench,
};

/** `npm run bench` runs every section; `npm run bench -- secrets import` only those named. */
async function main(): Promise<void> {
  const started = performance.now();
  const named = process.argv.slice(2);
  const unknown = named.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) {
    throw new Error(`unknown section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS)}`);
  }
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (named.length === 0 || named.includes(name)) await run();
  }
  console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `bench failed: ${error.message}` : error);
  process.exitCode = 1;
});
