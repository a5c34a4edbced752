// Wall time of importing the sample CRM export with the real CLI against a
// real daemon, in a private config dir, data dir and port.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../bin/partneros", import.meta.url));
export const SAMPLE_DIR = fileURLToPath(new URL("../../shared/data/crm", import.meta.url));
const PASSWORD = "correct horse battery staple";

export type ImportTiming =
  | { status: "skipped"; reason: string }
  | {
      status: "done";
      importMs: number;
      /** Deals the import reported, whatever happened to each. */
      deals: number;
      dealsPerSecond: number;
      entities: Record<string, Record<string, number>>;
    };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `partneros init`, `daemon start`, the timed `import`, then `daemon stop`. */
export async function timeSampleImport(): Promise<ImportTiming> {
  if (!existsSync(SAMPLE_DIR)) return { status: "skipped", reason: `no ${SAMPLE_DIR}` };
  const dir = mkdtempSync(join(tmpdir(), "partneros-import-"));
  const env = cliEnv(join(dir, "config"));
  const help = await cli(env, ["import", "--help"]);
  if (help.code !== 0 || !help.stdout.includes("partneros import")) {
    rmSync(dir, { recursive: true, force: true });
    return { status: "skipped", reason: "command not available" };
  }

  const dataDir = join(dir, "data");
  const port = await freePort();
  let daemonPid: number | undefined;
  try {
    const init = ["init", "--data-dir", dataDir, "--email", "owner@operator.bench"];
    const url = ["--url", `http://127.0.0.1:${port}`];
    await cliOrThrow(env, [...init, "--password-stdin", ...url], `${PASSWORD}\n`);
    const where = ["--data-dir", dataDir, "--port", String(port), "--json"];
    const start = await cliOrThrow(env, ["daemon", "start", ...where]);
    daemonPid = (JSON.parse(start.stdout) as { pid: number }).pid;
    const run = await cliOrThrow(env, [
      "import",
      SAMPLE_DIR,
      "--on-error",
      "abort",
      "--yes",
      "--json",
    ]);
    const result = JSON.parse(run.stdout) as {
      entities: Record<string, Record<string, number>>;
    };
    const deals = landed(result.entities.deals ?? {});
    return {
      status: "done",
      importMs: run.ms,
      deals,
      dealsPerSecond: deals / (run.ms / 1000),
      entities: result.entities,
    };
  } finally {
    if (daemonPid !== undefined) await stopDaemon(env, dataDir, daemonPid);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows that are in the store after the import: created, updated or unchanged. */
export function landed(outcomes: Record<string, number>): number {
  return Object.entries(outcomes)
    .filter(([outcome]) => outcome !== "skipped")
    .reduce((sum, [, n]) => sum + n, 0);
}

/** `daemon stop`; should that fail, the daemon this run started is signalled directly. */
async function stopDaemon(env: NodeJS.ProcessEnv, dataDir: string, pid: number): Promise<void> {
  const stop = await cli(env, ["daemon", "stop", "--data-dir", dataDir]);
  if (stop.code === 0) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

/** This process's environment minus any PARTNEROS_* setting, plus a private config dir. */
function cliEnv(configDir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PARTNEROS_")),
  );
  return { ...env, PARTNEROS_CONFIG_DIR: configDir };
}

function cli(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      resolve({ code, stdout, stderr, ms: performance.now() - started }),
    );
    child.stdin.end(input ?? "");
  });
}

async function cliOrThrow(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<CliRun> {
  const run = await cli(env, args, input);
  if (run.code !== 0) {
    const why = run.stderr.trim().split("\n").at(-1) ?? "";
    throw new Error(`partneros ${args.slice(0, 2).join(" ")} exited with ${run.code}: ${why}`);
  }
  return run;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
