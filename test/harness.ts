import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { txtLookup } from "../core/domains/txt.ts";
import type { Resolver } from "../core/outbound/resolve.ts";
import type { Keyring } from "../core/secrets/keyring.ts";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { bootstrapOperator } from "../core/services/bootstrap.ts";
import type { KeyRotation } from "../core/services/key-rotation.ts";
import { defaultLoginPolicy, type LoginPolicy } from "../core/services/sessions.ts";
import { openStore, type Store } from "../core/store/store.ts";
import { FailureThrottle } from "../core/throttle.ts";
import type { DeliveryOptions } from "../core/webhooks/worker.ts";
import { createApp } from "../daemon/app.ts";

export const OWNER_EMAIL = "owner@operator.test";
export const OWNER_PASSWORD = "correct horse battery staple";

/** A daemon app with a fresh store in a temp dir; every log line is kept in `logs`. */
export interface World {
  store: Store;
  app: ReturnType<typeof createApp>["app"];
  document: ReturnType<typeof createApp>["document"];
  logs: string[];
  dir: string;
  /** The master keys the app serves with, kept in memory; rotation swaps them. */
  keys: LiveKeyring;
  /** The keyring as it stands now. */
  readonly keyring: Keyring;
  rotation: KeyRotation;
  /** The webhook delivery worker, never started: tests drive it with runOnce and drain. */
  deliveries: ReturnType<typeof createApp>["deliveries"];
  ownerToken: string;
  operatorOrgId: string;
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function createWorld(
  options: {
    loginPolicy?: LoginPolicy;
    rotationBatchSize?: number;
    /** The DNS server ("host:port") domain proofs are looked up at; the system's by default. */
    dnsResolver?: string;
    /** Non-public addresses outbound calls may reach (a loopback receiver: 127.0.0.1). */
    outboundAllow?: readonly string[];
    /** Webhook delivery settings: timeout, retry schedule, the clock. */
    delivery?: DeliveryOptions;
    /** How outbound destination names resolve (webhook registration); the system's by default. */
    outboundResolve?: Resolver;
  } = {},
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-test-"));
  const store = await openStore({ path: join(dir, "partneros.db") });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  const boot = await bootstrapOperator(store, {
    email: OWNER_EMAIL,
    password: OWNER_PASSWORD,
    sessionTtlMs: 3_600_000,
  });
  const keys = LiveKeyring.ephemeral();
  const { app, document, rotation, deliveries } = createApp({
    store,
    logger,
    loginPolicy: options.loginPolicy ?? defaultLoginPolicy(3_600_000),
    keys,
    rotationBatchSize: options.rotationBatchSize,
    domains: { lookup: txtLookup(options.dnsResolver) },
    outboundAllow: options.outboundAllow,
    delivery: options.delivery,
    outboundResolve: options.outboundResolve,
  });
  return {
    store,
    app,
    document,
    logs,
    dir,
    keys,
    get keyring() {
      return keys.keyring;
    },
    rotation,
    deliveries,
    ownerToken: boot.sessionToken,
    operatorOrgId: boot.orgId,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers["content-type"] ??= "application/json";
        body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      }
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await rotation.stop();
      await deliveries.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function strictLoginPolicy(limit: number, perClient = 100): LoginPolicy {
  return {
    sessionTtlMs: 3_600_000,
    perAccount: new FailureThrottle({ limit, windowMs: 60_000 }),
    perClient: new FailureThrottle({ limit: perClient, windowMs: 60_000 }),
  };
}
