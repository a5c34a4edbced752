import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface LoadJob {
  url: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

/** What the load generator saw. */
export interface LoadResult {
  requestsPerSecond: number;
  /** Responses counted in the measured window. */
  responses: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 200, by status, warm-up included. */
  unexpected: Record<string, number>;
  /** Connection errors and timeouts, warm-up included. */
  errors: number;
}

/** The load generator's figures plus what serving them cost this (the server's) process. */
export interface Measurement extends LoadResult {
  /** CPU time of the server process per response in the measured window, in microseconds. */
  serverCpuUsPerRequest: number;
  /** Server CPU time over wall time in the window: below about 0.9 the client set the pace. */
  serverCores: number;
}

/** Messages from the load generator: the measured window starts, then the result. */
export type LoadMessage = { kind: "measuring" } | { kind: "result"; result: LoadResult };

const LOAD_SCRIPT = fileURLToPath(new URL("./load.ts", import.meta.url));
// Resolved here, so the child loads TypeScript whatever its working directory.
const TSX_LOADER = import.meta.resolve("tsx");

/**
 * Runs one warm-up and one measured window in a fresh child process. The
 * server must run in this process: its CPU time is read around the window.
 */
export function measure(job: LoadJob): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_SCRIPT, [], {
      execArgv: ["--import", TSX_LOADER],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let cpuAtStart: NodeJS.CpuUsage | undefined;
    let startedMs = 0;
    let measurement: Measurement | undefined;
    child.on("message", (raw) => {
      const message = raw as LoadMessage;
      if (message.kind === "measuring") {
        cpuAtStart = process.cpuUsage();
        startedMs = performance.now();
        return;
      }
      const cpu = process.cpuUsage(cpuAtStart);
      const cpuUs = cpu.user + cpu.system;
      const { result } = message;
      measurement = {
        ...result,
        serverCpuUsPerRequest: cpuUs / Math.max(result.responses, 1),
        serverCores: cpuUs / 1000 / (performance.now() - startedMs),
      };
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (measurement) resolve(measurement);
      else reject(new Error(`the load generator exited with code ${code} and no result`));
    });
    // The token travels over IPC, not argv, so it never shows in a process list.
    child.send(job);
  });
}
