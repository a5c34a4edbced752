import { readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const pidFile = (dataDir: string) => join(dataDir, "partnerosd.pid");
export const logFile = (dataDir: string) => join(dataDir, "partnerosd.log");

/** The pid the daemon wrote, or undefined when there is no readable pid file. */
export function readPid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile(dataDir), "utf8").trim();
  } catch {
    return undefined;
  }
  const pid = Number(text);
  return /^\d+$/.test(text) && pid > 0 ? pid : undefined;
}

/** Whether a process with this pid exists (EPERM still means it does). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

/** The daemon's pid when its pid file names a live process; a stale file is removed. */
export function runningPid(dataDir: string): number | undefined {
  const pid = readPid(dataDir);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  try {
    unlinkSync(pidFile(dataDir));
  } catch {
    // already gone
  }
  return undefined;
}

/** Polls `check` until it holds or `timeoutMs` passes; true when it held. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return check();
}
