// `npm run bench`: requests per second of GET /v1/me with a machine key, next
// to a bare route answering the same JSON without authentication, on one server.
// It only reports; it fails only when the run itself went wrong.
import { availableParallelism } from "node:os";
import { type LoadJob, type Measurement, measure } from "./measure.ts";
import { formatTable, type RouteSummary, summarize } from "./report.ts";
import { BARE_PATH, ME_PATH, startBenchWorld } from "./world.ts";

const CONNECTIONS = 32;
const WARMUP_SECONDS = 2;
const SECONDS = 8;
const ROUNDS = 2;
const TARGET_RATIO = 0.8;

async function main(): Promise<void> {
  const world = await startBenchWorld();
  const results = { bare: [] as Measurement[], me: [] as Measurement[] };
  try {
    const job = (path: string, headers: Record<string, string>): LoadJob => ({
      url: world.url,
      path,
      headers,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
    });
    const bare = job(BARE_PATH, {});
    const me = job(ME_PATH, { authorization: `Bearer ${world.keyToken}` });

    console.log(
      `PartnerOS bench: ${CONNECTIONS} connections, pipelining 1, ` +
        `${WARMUP_SECONDS} s warm-up + ${SECONDS} s per run, ${ROUNDS} rounds ` +
        `(node ${process.version}, ${availableParallelism()} CPUs, ` +
        `${world.meBody.length}-byte body)`,
    );
    // Alternating the routes spreads any drift of a shared machine over both.
    for (let round = 0; round < ROUNDS; round++) {
      results.bare.push(await measure(bare));
      results.me.push(await measure(me));
    }
  } finally {
    await world.stop();
  }

  // Figures from a run with failed requests measure the failures: report none of them.
  const failures = [...results.bare, ...results.me].filter(
    (r) => r.errors > 0 || Object.keys(r.unexpected).length > 0,
  );
  if (failures.length > 0) {
    const detail = failures.map((r) => JSON.stringify({ errors: r.errors, ...r.unexpected }));
    throw new Error(`the run saw failed requests: ${detail.join(" ")}`);
  }

  const bare = summarize(`GET ${BARE_PATH} (no auth)`, results.bare);
  const me = summarize(`GET ${ME_PATH} (machine key)`, results.me);
  const ratios = {
    throughput: me.requestsPerSecond / bare.requestsPerSecond,
    serverCpu: bare.serverCpuUsPerRequest / me.serverCpuUsPerRequest,
    target: TARGET_RATIO,
  };
  console.log(`\n${formatTable([bare, me], ratios)}\n`);
  console.log(
    JSON.stringify({
      bench: "me-vs-bare",
      node: process.version,
      cpus: availableParallelism(),
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      bare: figures(bare),
      me: figures(me),
      ratio: round3(ratios.throughput),
      serverCpuRatio: round3(ratios.serverCpu),
      target: TARGET_RATIO,
      pass: ratios.throughput >= TARGET_RATIO,
    }),
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `bench failed: ${error.message}` : error);
  process.exitCode = 1;
});
