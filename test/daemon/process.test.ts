import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../core/audit.ts";
import { ensureKeyFile } from "../../core/secrets/keyring.ts";
import { bootstrapOperator } from "../../core/services/bootstrap.ts";
import { openStore } from "../../core/store/store.ts";

const DAEMON = resolve(import.meta.dirname, "../../bin/partnerosd");
const OWNER_EMAIL = "owner@process.test";
const OWNER_PASSWORD = "a process-level passphrase";

interface Daemon {
  child: ChildProcess;
  /** Every stdout line so far, in order. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data dir with the given mode holding a store with an operator owner. */
async function preparedDataDir(mode = 0o700): Promise<{ dir: string; ownerToken: string }> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-daemon-"));
  dirs.push(dir);
  const store = await openStore({ path: join(dir, "partneros.db") });
  const boot = await bootstrapOperator(store, {
    email: OWNER_EMAIL,
    password: OWNER_PASSWORD,
    sessionTtlMs: 3_600_000,
  });
  await store.close();
  ensureKeyFile(join(dir, "master.keys"));
  chmodSync(dir, mode);
  return { dir, ownerToken: boot.sessionToken };
}

function spawnDaemon(dataDir: string): Daemon {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PARTNEROS_")),
  );
  const child = spawn(process.execPath, [DAEMON, "--data-dir", dataDir, "--port", "0"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const lines: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  return { child, lines, exited };
}

function parsed(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the `daemon.started` line and returns the URL it logged. */
async function startedUrl(daemon: Daemon): Promise<string> {
  const deadline = Date.now() + 20_000;
  let exited = false;
  void daemon.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const started = parsed(daemon.lines).find((l) => l.msg === "daemon.started");
    if (started) return String(started.url);
    if (exited || Date.now() > deadline) {
      throw new Error(`daemon did not start:\n${daemon.lines.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(daemon: Daemon) {
  daemon.child.kill("SIGTERM");
  return within(daemon.exited, 15_000, "shutdown after SIGTERM");
}

describe("partnerosd", () => {
  it("binds 127.0.0.1 by default and answers /healthz and /readyz with 200", async () => {
    const { dir } = await preparedDataDir();
    const daemon = spawnDaemon(dir);

    const url = await startedUrl(daemon);
    const health = await fetch(`${url}/healthz`);
    const ready = await fetch(`${url}/readyz`);

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect([health.status, await health.json()]).toEqual([200, { status: "ok" }]);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
    expect(readFileSync(join(dir, "partnerosd.pid"), "utf8").trim()).toBe(String(daemon.child.pid));
    await stop(daemon);
  });

  it("refuses to start on a data dir with mode 0755", async () => {
    const { dir } = await preparedDataDir(0o755);
    const daemon = spawnDaemon(dir);

    const { code } = await within(daemon.exited, 20_000, "refusal");

    const log = parsed(daemon.lines);
    expect(code).not.toBe(0);
    expect(code).toBe(9);
    expect(log.some((l) => l.code === "DATA_DIR_INSECURE")).toBe(true);
    expect(log.some((l) => l.msg === "daemon.started")).toBe(false);
    expect(existsSync(join(dir, "partnerosd.pid"))).toBe(false);
  });

  it.each([
    { label: "a missing master key file", code: "NOT_CONFIGURED", spoil: rmSync },
    {
      label: "a master key file with mode 0644",
      code: "DATA_DIR_INSECURE",
      spoil: (path: string) => chmodSync(path, 0o644),
    },
  ])("refuses to start with $label", async ({ code: expected, spoil }) => {
    const { dir } = await preparedDataDir();
    spoil(join(dir, "master.keys"));
    const daemon = spawnDaemon(dir);

    const { code } = await within(daemon.exited, 20_000, "refusal");

    const log = parsed(daemon.lines);
    expect(code).toBe(9);
    expect(log.some((l) => l.code === expected && String(l.msg).includes("master key"))).toBe(true);
    expect(log.some((l) => l.msg === "daemon.started")).toBe(false);
  });

  it("finishes in-flight requests on SIGTERM, exits 0 and leaves a store that opens", async () => {
    const { dir, ownerToken } = await preparedDataDir();
    const daemon = spawnDaemon(dir);
    const url = await startedUrl(daemon);
    const headers = { authorization: `Bearer ${ownerToken}` };

    const requests = Array.from({ length: 50 }, () =>
      fetch(`${url}/v1/me`, { headers }).then(async (res) => ({
        status: res.status,
        body: await res.text(),
      })),
    );
    await Promise.any(requests);
    daemon.child.kill("SIGTERM");
    const settled = await Promise.allSettled(requests);
    const exit = await within(daemon.exited, 15_000, "shutdown after SIGTERM");

    const answered = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter((a) => a.status !== 200)).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(parsed(daemon.lines).map((l) => l.msg)).toContain("daemon.stopped");
    expect(existsSync(join(dir, "partnerosd.pid"))).toBe(false);
    const store = await openStore({ path: join(dir, "partneros.db") });
    try {
      const orgs = await store.db.selectFrom("orgs").select("slug").execute();
      expect(orgs).toEqual([{ slug: "operator" }]);
      expect(await verifyAuditChain(store.db)).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });

  it("leaves every commit in the database file, not only in its WAL, after SIGTERM", async () => {
    const { dir, ownerToken } = await preparedDataDir();
    const daemon = spawnDaemon(dir);
    const url = await startedUrl(daemon);

    const login = await fetch(`${url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }),
    });
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${ownerToken}` } });
    const exit = await stop(daemon);

    expect([login.status, me.status, exit.code]).toEqual([200, 200, 0]);
    const wal = join(dir, "partneros.db-wal");
    // A backup of partneros.db alone would miss whatever the WAL still holds.
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  });

  it("logs one JSON line per request with its requestId, never the token or password", async () => {
    const { dir, ownerToken } = await preparedDataDir();
    const daemon = spawnDaemon(dir);
    const url = await startedUrl(daemon);
    const auth = { authorization: `Bearer ${ownerToken}` };

    const responses = [
      await fetch(`${url}/v1/me`, { headers: auth }),
      await fetch(`${url}/v1/me?token=${ownerToken}`, { headers: auth }),
      await fetch(`${url}/v1/users`, { headers: auth }),
      await fetch(`${url}/v1/keys?org=operator`, { headers: auth }),
      await fetch(`${url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }),
      }),
      await fetch(`${url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: OWNER_EMAIL, password: `${OWNER_PASSWORD}-wrong` }),
      }),
    ];
    const issued = ((await responses[4]!.json()) as { token: string }).token;
    await stop(daemon);

    const log = parsed(daemon.lines);
    const completed = log.filter((l) => l.msg === "request.completed");
    const requestIds = responses.map((r) => r.headers.get("x-request-id"));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 200, 200, 401]);
    expect(completed).toHaveLength(responses.length);
    for (const line of completed) expect(line.requestId).toMatch(/^req_[0-9a-z]{20}$/);
    expect(completed.map((l) => l.requestId)).toEqual(requestIds);
    const text = daemon.lines.join("\n");
    for (const secret of [ownerToken, ownerToken.slice(9), issued.slice(9), OWNER_PASSWORD]) {
      expect(text).not.toContain(secret);
    }
  });
});
