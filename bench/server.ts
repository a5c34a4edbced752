// What every bench world starts from: a private store with an operator, a
// log file, and a server on a loopback port.
import { chmodSync, mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import pino from "pino";
import { bootstrapOperator } from "../core/services/bootstrap.ts";
import { openStore } from "../core/store/store.ts";

export const BENCH_SESSION_TTL_MS = 3_600_000;

/** A fresh store in a 0700 temp dir with an operator owner; logs go to a file there. */
export async function benchStore(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  const dbPath = join(dir, "partneros.db");
  const store = await openStore({ path: dbPath });
  // Asynchronous writes, as the daemon logs to stdout.
  const destination = pino.destination({ dest: join(dir, "daemon.log"), sync: false });
  const logger = pino({ level: "info" }, destination);
  const boot = await bootstrapOperator(store, {
    email: "owner@operator.bench",
    password: "correct horse battery staple",
    sessionTtlMs: BENCH_SESSION_TTL_MS,
  });
  return { dir, dbPath, store, destination, logger, boot };
}

/** Serves `fetch` on a free loopback port. */
export async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, hostname: "127.0.0.1", port: 0 }, () =>
      resolve(s as Server),
    ) as Server;
    s.once("error", reject);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
