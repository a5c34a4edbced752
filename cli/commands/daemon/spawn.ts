import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Address } from "./address.ts";

const DAEMON_BIN = fileURLToPath(new URL("../../../bin/partnerosd", import.meta.url));

export interface Spawned {
  pid: number | undefined;
  /** How the process ended, once it has; undefined while it runs. */
  exit(): string | undefined;
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
  return { pid: child.pid, exit: () => exit };
}
