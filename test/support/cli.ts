/** The real `partneros` as a child process, run as a script runs it. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const CLI = resolve(import.meta.dirname, "../../bin/partneros");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** This process's environment without any PARTNEROS_ setting, so a test sees only its own. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith("PARTNEROS_"),
    ),
  );
}

/**
 * Runs `partneros <args>` with no terminal: `env` on top of the clean
 * environment and NO_COLOR, `stdin` piped in and closed, both outputs kept.
 */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  stdin = "",
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...cleanEnv(), NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(stdin);
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}
