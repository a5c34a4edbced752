import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import pino from "pino";
import { bootstrapOperator } from "../core/services/bootstrap.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import { openStore } from "../core/store/store.ts";
import { createApp } from "../daemon/app.ts";

export const ME_PATH = "/v1/me";
export const BARE_PATH = "/bench/bare-me";

const SESSION_TTL_MS = 3_600_000;

/** One real daemon server holding a partner org, its machine key and the bare baseline route. */
export interface BenchWorld {
  url: string;
  /** Bearer token of the partner's machine key. */
  keyToken: string;
  /** The exact bytes `GET /v1/me` answers for that key; the bare route answers the same. */
  meBody: string;
  stop(): Promise<void>;
}

/**
 * Builds the world in a private temp dir: store, operator, partner tenant and
 * machine key (the last two through the HTTP API), with logs going to a file
 * at level info through an async destination, as the daemon logs to stdout.
 */
export async function startBenchWorld(): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-bench-"));
  chmodSync(dir, 0o700);
  const store = await openStore({ path: join(dir, "partneros.db") });
  const destination = pino.destination({ dest: join(dir, "daemon.log"), sync: false });
  const logger = pino({ level: "info" }, destination);
  const boot = await bootstrapOperator(store, {
    email: "owner@operator.bench",
    password: "correct horse battery staple",
    sessionTtlMs: SESSION_TTL_MS,
  });

  // Filled in once the key exists; the bare route is not called before then.
  const baseline: { body: unknown } = { body: null };
  const { app, authenticator } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(SESSION_TTL_MS),
    extra: (extraApp) => extraApp.get(BARE_PATH, (c) => c.json(baseline.body)),
    extraRouteKeys: [`GET ${BARE_PATH}`],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () =>
      resolve(s as Server),
    ) as Server;
    s.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await authenticator.drain();
    await store.close();
    destination.flushSync();
    destination.end();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const tenant = await call(url, "POST", "/v1/tenants", boot.sessionToken, {
      slug: "bench-partner",
      name: "Bench Partner",
    });
    const created = await call(url, "POST", `/v1/keys?org=${tenant.slug}`, boot.sessionToken, {
      name: "bench",
    });
    const keyToken: string = created.token;
    const meBody = await text(url, ME_PATH, keyToken);
    baseline.body = JSON.parse(meBody);
    const bareBody = await text(url, BARE_PATH);
    if (bareBody !== meBody) throw new Error("the bare route does not answer the same bytes");
    return { url, keyToken, meBody, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function call(url: string, method: string, path: string, token: string, body: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const parsed: any = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${parsed?.error?.code}`);
  return parsed;
}

async function text(url: string, path: string, token?: string): Promise<string> {
  const res = await fetch(`${url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return body;
}
