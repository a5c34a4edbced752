import { Command, type CommanderError, Option } from "commander";
import { AppError } from "../core/errors.ts";
import pkg from "../package.json" with { type: "json" };
import type { CliCommand } from "./commands/define.ts";
import { COMMAND_GROUPS, COMMANDS } from "./commands/index.ts";
import { createContext, type Runtime } from "./context.ts";
import { type ErrorReport, exitCodeOf } from "./errors.ts";
import { paint } from "./output/color.ts";
import { formatCsv } from "./output/csv.ts";
import { render } from "./output/printer.ts";
import { profilesPath } from "./profiles.ts";
import type { Terminal } from "./secrets.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The process streams and environment the program runs against. */
export interface Io {
  env: Env;
  stdin: Terminal["input"];
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function buildProgram(io: Io): Command {
  const program = new Command("partneros")
    .description("Operate a PartnerOS daemon: orgs, users, keys and the audit log")
    .version(pkg.version)
    .addOption(
      new Option("--profile <name>", "profile to use (default: the current one)").env(
        "PARTNEROS_PROFILE",
      ),
    )
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  for (const command of COMMANDS) register(program, command, io);
  return program;
}

function register(program: Command, command: CliCommand, io: Io): void {
  const path = command.name.split(" ");
  const leaf = path.pop() ?? command.name;
  let parent = program;
  for (const group of path) {
    parent =
      parent.commands.find((existing) => existing.name() === group) ??
      parent.command(group).description(COMMAND_GROUPS[group] ?? "");
  }

  const sub = parent.command(leaf).description(describe(command));
  for (const arg of command.args) sub.argument(arg);
  for (const option of command.options) {
    if (option.repeatable) sub.option(option.flags, option.description, collect);
    else if (option.required) sub.requiredOption(option.flags, option.description);
    else sub.option(option.flags, option.description);
  }
  sub.option("--json", "print the result as JSON");
  if (command.csv) sub.option("--csv", "print the result as CSV");

  sub.action(async () => {
    const options = sub.optsWithGlobals();
    const runtime: Runtime = {
      env: io.env,
      profileFlag: typeof options.profile === "string" ? options.profile : undefined,
      profilesPath: profilesPath(io.env),
      terminal: { input: io.stdin, output: io.stderr },
      now: () => new Date(),
      progress: (line) => {
        if (io.stderr.isTTY) io.stderr.write(`${line}\n`);
      },
    };
    const args = sub.processedArgs.map((value: unknown) =>
      typeof value === "string" ? value : "",
    );
    const json = options.json === true;
    const csv = options.csv === true;
    if (json && csv) throw new AppError("VALIDATION_FAILED", "give --json or --csv, not both");
    const context = createContext(runtime, command.permission);
    const outcome = await command.execute({ args, options }, context, runtime.now());

    const color = paint(io.env, io.stdout);
    io.stdout.write(
      csv && outcome.csv
        ? formatCsv(outcome.csv)
        : render(outcome.data, outcome.view, { json, color }),
    );
    if (outcome.failure) throw outcome.failure;
  });
}

/** Commander's accumulator for an option given several times. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function describe(command: CliCommand): string {
  return command.permission ? `${command.summary} [needs ${command.permission}]` : command.summary;
}

/**
 * What a commander exit means for the process: help and version succeed,
 * usage mistakes are BAD_REQUEST (exit 2) like a bad request to the daemon.
 */
export function commanderOutcome(error: CommanderError): { exit: number; report?: ErrorReport } {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
    return { exit: 0 };
  }
  // Help shown because a group was called without a subcommand: a usage mistake.
  if (error.code === "commander.help") return { exit: error.exitCode === 0 ? 0 : 2 };
  const message = error.message.replace(/^error: /, "");
  return {
    exit: exitCodeOf("BAD_REQUEST"),
    report: { code: "BAD_REQUEST", message: `${message} (see --help)` },
  };
}
