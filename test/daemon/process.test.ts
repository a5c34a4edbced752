import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../core/audit.ts";
import { openStore } from "../../core/store/store.ts";
import {
  cleanUpDaemons,
  DAEMON,
  OWNER_EMAIL,
  OWNER_PASSWORD,
  parsed,
  preparedDataDir,
  spawnDaemon,
  startedUrl,
  stop,
  within,
} from "./processes.ts";

afterEach(cleanUpDaemons);

describe("partnerosd", () => {
  // Found by the second outside trial: --help crashed with a stack trace.
  it("answers --help with its options and an unknown flag with one line and exit 2", () => {
    const help = spawnSync(process.execPath, [DAEMON, "--help"], { encoding: "utf8" });
    const bogus = spawnSync(process.execPath, [DAEMON, "--bogus"], { encoding: "utf8" });

    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--dns-resolver <value>");
    expect(bogus.status).toBe(2);
    expect(bogus.stderr.trim()).toBe("partnerosd: Unknown option '--bogus'; see partnerosd --help");
  });

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

  it("runs a key command once at start-up and serves with the keys it printed", async () => {
    const { dir, ownerToken } = await preparedDataDir();
    const calls = join(dir, "key-command.calls");
    const helper = join(dir, "key-command.sh");
    writeFileSync(
      helper,
      `#!/bin/sh\necho run >> '${calls}'\ncat '${join(dir, "master.keys")}'\n`,
      {
        mode: 0o700,
      },
    );
    const daemon = spawnDaemon(dir, { env: { PARTNEROS_MASTER_KEY_COMMAND: helper } });
    const url = await startedUrl(daemon);

    const status = await fetch(`${url}/v1/master-key`, {
      headers: { authorization: `Bearer ${ownerToken}` },
    });

    expect(status.status).toBe(200);
    expect((await status.json()).source).toEqual({
      description: `key command ${helper}`,
      writable: false,
    });
    expect(readFileSync(calls, "utf8")).toBe("run\n");
    await stop(daemon);
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
