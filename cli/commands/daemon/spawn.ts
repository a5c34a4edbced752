import { spawn } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AppError, isErrorCode } from "../../../core/errors.ts";
import type { Address } from "./address.ts";

const DAEMON_BIN = fileURLToPath(new URL("../../../bin/partnerosd", import.meta.url));

export interface Spawned {
  pid: number | undefined;
  /** How the process ended, once it has; undefined while it runs. */
  exit(): string | undefined;
  /** The error the daemon logged as it refused to start, if it logged one. */
  startError(): AppError | undefined;
}

/**
 * Starts `bin/partnerosd` in its own process group, detached from this
 * terminal, with stdout and stderr appended to `log`.
 */
export function spawnDaemon(
  dataDir: string,
  address: Address,
  log: string,
  env: Readonly<Record<string, string | undefined>>,
): Spawned {
  const logFd = openSync(log, "a", 0o600);
  const offset = fstatSync(logFd).size;
  const args = ["--data-dir", dataDir, "--host", address.host, "--port", String(address.port)];
  const child = spawn(process.execPath, [DAEMON_BIN, ...args], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
    env: { ...env },
  });
  closeSync(logFd);

  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    exit = signal ?? `exit code ${code}`;
  });
  child.once("error", (error) => {
    exit = error.message;
  });
  child.unref();
  return { pid: child.pid, exit: () => exit, startError: () => fatalLogged(log, offset) };
}

/**
 * The last fatal line this start wrote to the log, as the error it names.
 * The daemon logs a refusal's code and its message, which is written to be
 * shown; anything else in the log stays there.
 */
function fatalLogged(log: string, offset: number): AppError | undefined {
  let found: AppError | undefined;
  const lines = readFileSync(log).subarray(offset).toString("utf8").split("\n");
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; code?: unknown; msg?: unknown };
      if (entry.level === 60 && isErrorCode(entry.code) && typeof entry.msg === "string") {
        found = new AppError(entry.code, entry.msg);
      }
    } catch {
      // Not a log line of ours: a stack trace or a note from node itself.
    }
  }
  return found;
}
