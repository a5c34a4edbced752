import { existsSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { txtLookup } from "../core/domains/txt.ts";
import { AppError } from "../core/errors.ts";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { retiredVersions } from "../core/services/master-keys.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import { openStore } from "../core/store/store.ts";
import { createApp } from "./app.ts";
import { assertPrivateDataDir, type DaemonConfig, databasePath, pidPath } from "./config.ts";
import { startDomainRecheck } from "./domain-recheck.ts";
import { keySourceFor } from "./keyring.ts";

export interface RunningDaemon {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** Opens the store in the data dir and serves the API until stopped. */
export async function startDaemon(
  config: DaemonConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningDaemon> {
  assertPrivateDataDir(config.dataDir);
  const dbPath = databasePath(config.dataDir);
  if (!existsSync(dbPath)) {
    throw new AppError("NOT_CONFIGURED", `no store in ${config.dataDir}; run partneros init first`);
  }
  const source = keySourceFor(config.masterKeys);
  // Loaded before the store opens, so a missing or exposed key file stops start-up
  // first; loaded once, so a KMS helper command runs once.
  const loaded = await source.load();
  const store = await openStore({ path: dbPath });
  let keys: LiveKeyring;
  try {
    keys = LiveKeyring.of(source, loaded, await retiredVersions(store.db));
  } catch (error) {
    await store.close();
    throw error;
  }
  const { app, authenticator, rotation, domains, deliveries } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(config.sessionTtlMs),
    keys,
    outboundAllow: config.outboundAllow,
    domains: { lookup: txtLookup(config.dnsResolver), platformHosts: config.platformHosts },
    consoleOrigins: config.consoleOrigins,
    delivery: {
      timeoutMs: config.webhookTimeoutMs,
      concurrency: config.webhookConcurrency,
      retrySchedule: config.webhookRetrySchedule,
    },
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () =>
      resolve(s as Server),
    ) as Server;
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  writeFileSync(pidPath(config.dataDir), `${process.pid}\n`, { mode: 0o600 });
  logger.info(
    { url, dataDir: config.dataDir, masterKeys: config.masterKeys.kind },
    "daemon.started",
  );

  const recheck = startDomainRecheck(store, domains, config.domainRecheckMs, logger);
  // The outbox is the database: whatever was pending when the last run ended is due now.
  deliveries.start();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info("daemon.stopping");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets go idle as their last response is written; close
      // each as soon as it does instead of waiting for its timeout.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearInterval(sweeper);
      clearTimeout(timer);
      // A rotation stops after its batch in hand; the next rotate carries on.
      await rotation.stop();
      await recheck.stop();
      // Attempts in flight finish (each within its timeout) and are recorded.
      await deliveries.stop();
      await authenticator.drain();
      await store.close();
      rmSync(pidPath(config.dataDir), { force: true });
      logger.info("daemon.stopped");
    })();
    return stopping;
  };
  return { url, port, stop };
}
