// Issue #6's ingest figure: events per second through POST /v1/events in
// batches of 500, for a partner with no webhook endpoints and for one with
// three endpoints subscribed to every event type (each accepted event then
// also writes an outbox message and three pending deliveries in the same
// transaction), measured in alternating rounds of the same run.
import { rmSync } from "node:fs";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import { WEBHOOK_EVENT_TYPES } from "../core/webhooks/catalog.ts";
import { createApp } from "../daemon/app.ts";
import { call } from "./http.ts";
import { BENCH_SESSION_TTL_MS, benchStore, listen } from "./server.ts";
import { median } from "./stats.ts";

export interface EventsReport {
  batchSize: number;
  batchesPerRound: number;
  rounds: number;
  inFlight: number;
  plain: ModeFigures;
  hooked: ModeFigures & { endpoints: number; deliveries: number };
  /** Hooked events per second over plain events per second. */
  ratio: number;
}

export interface ModeFigures {
  events: number;
  eventsPerSecond: number;
  /** Per round, to show the spread on a shared machine. */
  rounds: number[];
  /** Median time of one batch request, in milliseconds. */
  p50BatchMs: number;
}

const TYPES = ["click", "lead", "signup", "sale", "refund"] as const;

/** `count` batch bodies, serialized before the clock starts; every eventId new. */
function bodies(prefix: string, count: number, size: number): string[] {
  return Array.from({ length: count }, (_, b) =>
    JSON.stringify({
      events: Array.from({ length: size }, (_, i) => {
        const type = TYPES[i % TYPES.length] ?? "click";
        const money =
          type === "sale" || type === "refund" ? { amount: 1000 + i, currency: "EUR" } : {};
        return {
          eventId: `${prefix}-${b}-${i}`,
          type,
          occurredAt: "2026-06-01T12:00:00Z",
          ...money,
          attributes: { source: "bench", batch: String(b) },
        };
      }),
    }),
  );
}

/** Sends the batches, `inFlight` at a time; answers the wall time and each batch's time. */
async function send(url: string, token: string, batches: string[], inFlight: number, size: number) {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const started = performance.now();
      const res = await fetch(`${url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      const report = (await res.json()) as { summary?: { accepted: number } };
      times.push(performance.now() - started);
      if (res.status !== 200 || report.summary?.accepted !== size) {
        throw new Error(`a batch answered ${res.status}: ${JSON.stringify(report).slice(0, 200)}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { ms: performance.now() - started, times };
}

/** Runs the ingest benchmark on a fresh store in a private temp dir. */
export async function runEventsBench(options: {
  batchSize: number;
  batchesPerRound: number;
  rounds: number;
  inFlight: number;
  endpoints: number;
}): Promise<EventsReport> {
  const { dir, store, destination, logger, boot } = await benchStore("partneros-bench-events-");
  // The delivery worker is created with the app but started only by the server
  // (daemon/server.ts), so queued deliveries stay pending: this measures ingest.
  const { app, authenticator } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(BENCH_SESSION_TTL_MS),
    keys: LiveKeyring.ephemeral(),
  });
  const { server, url } = await listen(app.fetch);

  try {
    const owner = boot.sessionToken;
    const keyFor = async (slug: string) => {
      await call(url, "POST", "/v1/tenants", owner, { slug, name: slug });
      const created = await call(url, "POST", `/v1/keys?org=${slug}`, owner, {
        name: "ingest",
        role: "partner_member",
        scopes: ["events.write"],
      });
      return created.token as string;
    };
    const plainToken = await keyFor("bench-events-plain");
    const hookedToken = await keyFor("bench-events-hooked");
    for (let i = 0; i < options.endpoints; i++) {
      // A public address literal: registered without a DNS lookup, never called here.
      await call(url, "POST", "/v1/webhooks?org=bench-events-hooked", owner, {
        url: `https://93.184.216.${10 + i}/hook`,
        eventTypes: [...WEBHOOK_EVENT_TYPES],
      });
    }

    const { batchSize: size, batchesPerRound: count, inFlight } = options;
    await send(url, plainToken, bodies("warm-plain", 4, size), inFlight, size);
    await send(url, hookedToken, bodies("warm-hooked", 4, size), inFlight, size);

    const figures = { plain: [] as number[], hooked: [] as number[] };
    const times = { plain: [] as number[], hooked: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of ["plain", "hooked"] as const) {
        const batches = bodies(`${mode}-${round}`, count, size);
        const token = mode === "plain" ? plainToken : hookedToken;
        const run = await send(url, token, batches, inFlight, size);
        figures[mode].push((count * size) / (run.ms / 1000));
        times[mode].push(...run.times);
      }
    }

    const deliveries = await store.db
      .selectFrom("webhook_deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const mode = (name: "plain" | "hooked"): ModeFigures => ({
      events: count * size * options.rounds,
      eventsPerSecond: figures[name].reduce((s, v) => s + v, 0) / figures[name].length,
      rounds: figures[name],
      p50BatchMs: median(times[name]),
    });
    const hookedEvents = (count * options.rounds + 4) * size;
    if (Number(deliveries.n) !== hookedEvents * options.endpoints) {
      throw new Error(`${deliveries.n} deliveries queued for ${hookedEvents} hooked events`);
    }
    const plain = mode("plain");
    const hooked = mode("hooked");
    return {
      batchSize: size,
      batchesPerRound: count,
      rounds: options.rounds,
      inFlight,
      plain,
      hooked: { ...hooked, endpoints: options.endpoints, deliveries: Number(deliveries.n) },
      ratio: hooked.eventsPerSecond / plain.eventsPerSecond,
    };
  } finally {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await authenticator.drain();
    await store.close();
    destination.flushSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The human-readable lines of the report. */
export function formatEvents(report: EventsReport): string {
  const rate = (v: number) => `${Math.round(v).toLocaleString("en-US")} events/s`;
  const spread = (m: ModeFigures) => m.rounds.map((v) => Math.round(v)).join(", ");
  return [
    `  no webhook endpoints:      ${rate(report.plain.eventsPerSecond)} ` +
      `(rounds ${spread(report.plain)}; p50 ${report.plain.p50BatchMs.toFixed(1)} ms per batch)`,
    `  ${report.hooked.endpoints} endpoints, every type: ${rate(report.hooked.eventsPerSecond)} ` +
      `(rounds ${spread(report.hooked)}; ` +
      `p50 ${report.hooked.p50BatchMs.toFixed(1)} ms per batch; ` +
      `${report.hooked.deliveries.toLocaleString("en-US")} deliveries queued)`,
    `  ratio with webhooks / without: ${report.ratio.toFixed(2)}`,
  ].join("\n");
}
