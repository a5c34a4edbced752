import { resolve } from "node:path";
import { AppError } from "../../../core/errors.ts";
import { buildLayout, type Entity, type Layout } from "../../../core/import/mapping.ts";
import type { ImportIssue } from "../../../core/import/read-export.ts";
import {
  argument,
  currency,
  flag,
  oneOf,
  optionalString,
  type RawInput,
  stringList,
} from "../../parse.ts";

export const ON_ERROR = ["skip", "abort"] as const;
export type OnError = (typeof ON_ERROR)[number];

export interface ImportInput {
  dir: string;
  dryRun: boolean;
  /** Undefined: ask on a terminal, abort otherwise. */
  onError: OnError | undefined;
  yes: boolean;
  currency: string;
  layout: Layout;
  invitationsOut: string | undefined;
}

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

const MAP = /^[a-z]+\.[A-Za-z]+=.+$/;
const FILE = /^[a-z]+=.+$/;

export function parseImport(raw: RawInput): ImportInput {
  const maps = stringList(raw, "map");
  const files = stringList(raw, "file");
  for (const map of maps) {
    if (!MAP.test(map)) throw invalid(`--map ${map} must look like entity.field=column`);
  }
  for (const file of files) {
    if (!FILE.test(file)) throw invalid(`--file ${file} must look like entity=file.csv`);
  }
  const onError = optionalString(raw, "onError");
  const out = optionalString(raw, "invitationsOut");
  return {
    dir: resolve(argument(raw, 0, "dir")),
    dryRun: flag(raw, "dryRun"),
    onError: onError === undefined ? undefined : oneOf(onError, ON_ERROR, "--on-error"),
    yes: flag(raw, "yes"),
    currency: currency(optionalString(raw, "currency") ?? "USD"),
    layout: buildLayout([...files, ...maps]),
    invitationsOut: out === undefined ? undefined : resolve(out),
  };
}

/**
 * What to do with rows that have problems when no `--on-error` was given:
 * `--yes` or a non-interactive stdin abort; a terminal is asked.
 */
export function issuePolicy(input: ImportInput, interactive: boolean): OnError | "ask" {
  if (input.onError) return input.onError;
  return input.yes || !interactive ? "abort" : "ask";
}

/** `sales_pipeline.csv:12: unknown product "GTX Ultra"`. */
export function formatIssue(issue: ImportIssue): string {
  return `${issue.file}:${issue.line}: ${issue.message}`;
}

/** Rows left out per entity: each issue belongs to the entity whose file it names. */
export function skippedByEntity(
  issues: readonly ImportIssue[],
  layout: Layout,
): Record<Entity, number> {
  const skipped: Record<Entity, number> = {
    partners: 0,
    users: 0,
    products: 0,
    customers: 0,
    deals: 0,
  };
  const entities = Object.keys(skipped) as Entity[];
  for (const issue of issues) {
    const entity = entities.find((e) => layout[e].file === issue.file);
    if (entity) skipped[entity] += 1;
  }
  return skipped;
}
