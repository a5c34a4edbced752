// Child process: drives one route with autocannon and reports back over IPC,
// so the load generator never shares an event loop with the server.
import autocannon from "autocannon";
import type { LoadJob, LoadMessage, LoadResult } from "./measure.ts";

async function drive(job: LoadJob, seconds: number) {
  return autocannon({
    url: `${job.url}${job.path}`,
    headers: job.headers,
    connections: job.connections,
    pipelining: 1,
    duration: seconds,
  });
}

function summarize(runs: autocannon.Result[], measured: autocannon.Result): LoadResult {
  const unexpected: Record<string, number> = {};
  let errors = 0;
  for (const run of runs) {
    errors += run.errors;
    for (const [status, stat] of Object.entries(run.statusCodeStats ?? {})) {
      if (status !== "200") unexpected[status] = (unexpected[status] ?? 0) + (stat.count ?? 0);
    }
  }
  return {
    requestsPerSecond: measured.requests.total / measured.duration,
    responses: measured.requests.total,
    p50Ms: measured.latency.p50,
    p99Ms: measured.latency.p99,
    unexpected,
    errors,
  };
}

function send(message: LoadMessage, done: () => void = () => {}): void {
  process.send?.(message, done);
}

process.once("message", (message) => {
  const job = message as LoadJob;
  void (async () => {
    const warmup = await drive(job, job.warmupSeconds);
    send({ kind: "measuring" });
    const measured = await drive(job, job.seconds);
    send({ kind: "result", result: summarize([warmup, measured], measured) }, () =>
      process.disconnect(),
    );
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
