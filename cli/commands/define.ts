import type { Permission } from "../../core/permissions.ts";
import { type CommandOperation, permissionOf } from "../api/operations.ts";
import type { CommandContext } from "../context.ts";
import type { CliError } from "../errors.ts";
import type { Tabular } from "../output/csv.ts";
import type { View } from "../output/view.ts";
import type { RawInput } from "../parse.ts";

export interface OptionDef {
  /** Commander syntax: `--name <name>`, `--yes`. */
  flags: string;
  description: string;
  /** Commander refuses to run without it. */
  required?: boolean;
  /** May be given several times; the command receives the values as a list. */
  repeatable?: boolean;
}

/**
 * One command: what it accepts, the daemon operation it calls, and three steps —
 * parse the raw input, run it, describe the result for humans. The permission is
 * not declared here: it is the operation's own x-permission, from the document.
 */
export interface CommandDef<I, R> {
  /** Space-separated path, `user invite`. */
  name: string;
  summary: string;
  /** Commander syntax: `<slug>`. */
  args?: readonly string[];
  options?: readonly OptionDef[];
  /** The daemon operation the command exists to call; its permission is checked before. */
  operation?: CommandOperation;
  parse(raw: RawInput, now: Date): I;
  run(input: I, context: CommandContext): Promise<R>;
  view(result: R): View;
  /** The result as one table, for `--csv`; commands without it do not offer `--csv`. */
  csv?(result: R): Tabular;
  /** A result that is printed but still fails the command (a broken audit chain). */
  failure?(result: R): CliError | undefined;
}

export interface Outcome {
  data: unknown;
  view: View;
  csv: Tabular | undefined;
  failure: CliError | undefined;
}

/** A command with its input and result types closed over, ready to list and register. */
export interface CliCommand {
  name: string;
  summary: string;
  args: readonly string[];
  options: readonly OptionDef[];
  operation: CommandOperation | undefined;
  /** The operation's x-permission; undefined for a public one or none. */
  permission: Permission | undefined;
  /** Whether the command can print its result as CSV. */
  csv: boolean;
  execute(raw: RawInput, context: CommandContext, now: Date): Promise<Outcome>;
}

export function defineCommand<I, R>(def: CommandDef<I, R>): CliCommand {
  return {
    name: def.name,
    summary: def.summary,
    args: def.args ?? [],
    options: def.options ?? [],
    operation: def.operation,
    permission: def.operation === undefined ? undefined : permissionOf(def.operation),
    csv: def.csv !== undefined,
    async execute(raw, context, now) {
      const input = def.parse(raw, now);
      const data = await def.run(input, context);
      return { data, view: def.view(data), csv: def.csv?.(data), failure: def.failure?.(data) };
    },
  };
}
