import { CommanderError } from "commander";
import { exitCodeOf, formatReport, reportOf } from "./errors.ts";
import { paint } from "./output/color.ts";
import { buildProgram, commanderOutcome, type Io } from "./program.ts";

const io: Io = {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
};

// A reader that stops early (`| head`) is not a failure of the command.
io.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

try {
  await buildProgram(io).parseAsync(process.argv);
} catch (error) {
  const outcome =
    error instanceof CommanderError
      ? commanderOutcome(error)
      : { exit: exitCodeOf(reportOf(error).code), report: reportOf(error) };
  if (outcome.report) {
    io.stderr.write(`${formatReport(outcome.report, paint(io.env, io.stderr).red)}\n`);
  }
  process.exitCode = outcome.exit;
}
