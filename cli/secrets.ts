import { confirm, password } from "@inquirer/prompts";
import { AppError } from "../core/errors.ts";

/** Where prompts read and write. Prompts go to stderr so stdout stays clean for data. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export function isInteractive(terminal: Terminal): boolean {
  return terminal.input.isTTY === true;
}

/** All of standard input, split into lines without their line endings. */
export async function readLines(input: AsyncIterable<string | Buffer>): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of input)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/);
}

/** The secret on line `index` of stdin; an empty or missing line is refused. */
export function secretLine(lines: readonly string[], index: number, what: string): string {
  const value = lines[index];
  if (!value) {
    throw new AppError("VALIDATION_FAILED", `expected the ${what} on line ${index + 1} of stdin`);
  }
  return value;
}

export async function promptSecret(terminal: Terminal, message: string, flag: string) {
  requireTerminal(terminal, `pass ${flag} to read it from stdin`);
  return password({ message, mask: "*" }, { input: terminal.input, output: terminal.output });
}

/** Asks twice, so a typo does not become the password. */
export async function promptNewPassword(terminal: Terminal, flag: string): Promise<string> {
  const first = await promptSecret(terminal, "Password", flag);
  const second = await promptSecret(terminal, "Repeat password", flag);
  if (first !== second) throw new AppError("VALIDATION_FAILED", "the passwords do not match");
  return first;
}

export async function promptConfirm(terminal: Terminal, message: string): Promise<boolean> {
  requireTerminal(terminal, "pass --yes to confirm without a prompt");
  const context = { input: terminal.input, output: terminal.output };
  return confirm({ message, default: false }, context);
}

function requireTerminal(terminal: Terminal, hint: string): void {
  if (!isInteractive(terminal)) {
    throw new AppError("VALIDATION_FAILED", `standard input is not a terminal; ${hint}`);
  }
}
