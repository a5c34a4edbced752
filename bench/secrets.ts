// Issue #4's figures: decrypt-and-use throughput of a stored credential
// against a bare AES-256-GCM decryption of the same bytes, and a master-key
// rotation over many stored secrets while the daemon answers reads, with the
// p99 of those reads during the rotation against the same reads idle.
import { createDecipheriv } from "node:crypto";
import { rmSync } from "node:fs";
import SQLite from "better-sqlite3";
import { Authenticator } from "../core/auth.ts";
import { encryptSecret } from "../core/secrets/envelope.ts";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { Secret } from "../core/secrets/secret.ts";
import { sharedCounter } from "../core/secrets/usage.ts";
import { credentialBinding, useCredential } from "../core/services/credentials.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import type { openStore } from "../core/store/store.ts";
import { resolvePartnerScope } from "../core/tenancy/partner-scope.ts";
import { createApp } from "../daemon/app.ts";
import { call } from "./http.ts";
import { type LoadJob, type Measurement, measure } from "./measure.ts";
import { BENCH_SESSION_TTL_MS, benchStore, listen } from "./server.ts";

export interface SecretsReport {
  use: { perSecond: number; rawPerSecond: number; ratio: number };
  rotation: {
    secrets: number;
    seedMs: number;
    rotateMs: number;
    rowsPerSecond: number;
    idle: Measurement;
    during: Measurement;
  };
}

const USE_ITERATIONS = 50_000;
const SEED_CHUNK = 1_000;

/** Operations per second of `fn`, after a warm-up of a tenth as many. */
async function perSecond(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < iterations / 10; i++) await fn();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return iterations / ((performance.now() - started) / 1000);
}

/**
 * Seeds `count` SMTP credentials sealed under the primary straight into the
 * store through one raw connection (the seeding is not what is measured).
 */
async function seed(
  dbPath: string,
  keys: LiveKeyring,
  store: Awaited<ReturnType<typeof openStore>>,
  orgId: string,
  count: number,
): Promise<void> {
  const keyring = keys.keyring;
  const counter = await sharedCounter(store);
  await counter.reserve(keyring.primary, count);
  const raw = new SQLite(dbPath);
  const insert = raw.prepare(
    "insert into credentials (id, org_id, name, kind, settings, secrets, key_version, " +
      "sealed_fields, created_at, updated_at) values (?, ?, ?, 'smtp', ?, ?, ?, 1, ?, ?)",
  );
  const settings = JSON.stringify({ host: "smtp.example.test", port: 587, username: "bench" });
  const now = new Date().toISOString();
  const chunk = raw.transaction((from: number) => {
    for (let i = from; i < Math.min(from + SEED_CHUNK, count); i++) {
      const id = `crd_bench${String(i).padStart(16, "0")}`;
      const row = { id, org_id: orgId, kind: "smtp" as const };
      const sealed = encryptSecret(
        keyring,
        counter,
        credentialBinding(row, "password"),
        new Secret(`bench-password-${i}`),
      );
      const secrets = JSON.stringify({ password: sealed });
      insert.run(id, orgId, `mail-${i}`, settings, secrets, keyring.primary, now, now);
    }
  });
  for (let from = 0; from < count; from += SEED_CHUNK) chunk(from);
  raw.close();
}

/** Runs the secrets benchmarks on a fresh store in a private temp dir. */
export async function runSecretsBench(options: {
  secrets: number;
  connections: number;
  seconds: number;
  batchSize?: number;
}): Promise<SecretsReport> {
  const { dir, dbPath, store, destination, logger, boot } = await benchStore(
    "partneros-bench-secrets-",
  );
  const keys = LiveKeyring.ephemeral();
  const { app, authenticator, rotation } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(BENCH_SESSION_TTL_MS),
    keys,
    rotationBatchSize: options.batchSize,
  });
  const { server, url } = await listen(app.fetch);

  try {
    const owner = boot.sessionToken;
    const tenant = await call(url, "POST", "/v1/tenants", owner, {
      slug: "bench-secrets",
      name: "Bench Secrets",
    });
    const { token } = await call(url, "POST", `/v1/keys?org=${tenant.slug}`, owner, {
      name: "bench",
      role: "partner_admin",
    });
    const credential = await call(url, "POST", "/v1/credentials", token, {
      name: "mail",
      kind: "smtp",
      settings: { host: "smtp.example.test", port: 587, username: "bench", tlsMode: "starttls" },
      secrets: { password: "the bench's own smtp password" },
    });

    // Decrypt-and-use: the service path (scoped row read, then AES-GCM) against
    // the bare decipher of the same stored bytes.
    const ctx = {
      store,
      actor: new Authenticator(store, () => undefined).authenticate(token),
      requestId: null,
      clientAddr: null,
    };
    const scope = await resolvePartnerScope(ctx, undefined, "bench");
    const usePerSecond = await perSecond(USE_ITERATIONS, () =>
      useCredential(ctx, keys, scope, credential.id, ({ secrets }) =>
        secrets.password?.use((value) => value.length),
      ),
    );
    const stored = await store.db
      .selectFrom("credentials")
      .select("secrets")
      .where("id", "=", credential.id)
      .executeTakeFirstOrThrow();
    const [, , nonce = "", body = "", tag = ""] = (
      JSON.parse(stored.secrets) as { password: string }
    ).password.split(".");
    const key = keys.keyring.keyFor(keys.keyring.primary);
    const aad = Buffer.from(
      JSON.stringify(["pos1", 1, tenant.id, "credentials", credential.id, "smtp", "password"]),
    );
    const rawPerSecond = await perSecond(USE_ITERATIONS, () => {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
      decipher.setAAD(aad);
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final(),
      ]).toString("utf8").length;
    });

    const seedStarted = performance.now();
    await seed(dbPath, keys, store, tenant.id, options.secrets);
    const seedMs = performance.now() - seedStarted;

    const job: LoadJob = {
      url,
      path: `/v1/credentials/${credential.id}`,
      headers: { authorization: `Bearer ${token}` },
      connections: options.connections,
      warmupSeconds: 1,
      seconds: options.seconds,
    };
    const idle = await measure(job);

    const rotateStarted = performance.now();
    await call(url, "POST", "/v1/master-key/rotate", owner, undefined);
    const during = await measure(job);
    const done = await rotation.settled();
    const rotateMs = performance.now() - rotateStarted;
    if (done.state !== "done" || done.resealed < options.secrets) {
      throw new Error(`the rotation ended ${done.state} after ${done.resealed} rows`);
    }
    if (rotateMs / 1000 < options.seconds + 1) {
      throw new Error("the rotation ended before the reads measured during it did");
    }

    return {
      use: { perSecond: usePerSecond, rawPerSecond, ratio: usePerSecond / rawPerSecond },
      rotation: {
        secrets: done.resealed,
        seedMs,
        rotateMs,
        rowsPerSecond: done.resealed / (rotateMs / 1000),
        idle,
        during,
      },
    };
  } finally {
    await rotation.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await authenticator.drain();
    await store.close();
    destination.flushSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
