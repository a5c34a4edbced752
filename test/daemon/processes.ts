/** Real partnerosd processes on throwaway data dirs, for the process-level suites. */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { ensureKeyFile } from "../../core/secrets/keyring.ts";
import { bootstrapOperator } from "../../core/services/bootstrap.ts";
import { openStore } from "../../core/store/store.ts";

export const DAEMON = resolve(import.meta.dirname, "../../bin/partnerosd");
export const OWNER_EMAIL = "owner@process.test";
export const OWNER_PASSWORD = "a process-level passphrase";

export interface Daemon {
  child: ChildProcess;
  /** Every stdout line so far, in order. */
  lines: string[];
  /** Every stderr line so far, in order. */
  errors: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Settles once the process has exited and its stdout and stderr are read to the end. */
  closed: Promise<void>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Kills every daemon still running and removes every data dir; call it after each test. */
export function cleanUpDaemons(): void {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A data dir with the given mode holding a store with an operator owner. */
export async function preparedDataDir(mode = 0o700): Promise<{ dir: string; ownerToken: string }> {
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

export interface SpawnOptions {
  /** Further command-line arguments, after the data dir and port. */
  args?: readonly string[];
  /** Further environment variables; PARTNEROS_* of the test process are never passed on. */
  env?: Readonly<Record<string, string>>;
}

export function spawnDaemon(dataDir: string, options: SpawnOptions = {}): Daemon {
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("PARTNEROS_")),
    ),
    ...options.env,
  };
  const args = [DAEMON, "--data-dir", dataDir, "--port", "0", ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  const errors: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  if (child.stderr) createInterface({ input: child.stderr }).on("line", (l) => errors.push(l));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  return { child, lines, errors, exited, closed };
}

export function parsed(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
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
export async function startedUrl(daemon: Daemon): Promise<string> {
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

export async function stop(daemon: Daemon) {
  daemon.child.kill("SIGTERM");
  return within(daemon.exited, 15_000, "shutdown after SIGTERM");
}
