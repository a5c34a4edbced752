import * as api from "../../api/operations.ts";
import type { EventIngestResult } from "../../api/types.ts";
import { CliError } from "../../errors.ts";
import { fields, table } from "../../output/view.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { batchesOf, parseEventsText, readSource } from "./read.ts";

export interface PushResult {
  results: EventIngestResult[];
  summary: { accepted: number; duplicate: number; rejected: number };
  batches: number;
}

const COLUMNS = ["index", "eventId", "outcome", "id", "code", "message"] as const;
const rowOf = (r: EventIngestResult) =>
  [r.index, r.eventId, r.outcome, r.id, r.error?.code ?? null, r.error?.message ?? null] as const;

export const eventPush = defineCommand({
  name: "event push",
  summary: "Push events from a file or - (stdin): a JSON array, {events: [...]} or NDJSON",
  args: ["<file>"],
  options: PARTNER_OPTIONS,
  operation: "POST /v1/events",

  parse: (raw) => ({ file: argument(raw, 0, "file"), org: orgScope(raw) }),

  async run(input, context): Promise<PushResult> {
    const source = input.file === "-" ? "stdin" : input.file;
    const text = await readSource(input.file, context.runtime.terminal.input);
    const items = parseEventsText(text, source);
    const { http } = await context.session();

    const batches = batchesOf(items);
    const results: EventIngestResult[] = [];
    const summary = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const [n, batch] of batches.entries()) {
      context.runtime.progress?.(`batch ${n + 1} of ${batches.length}: ${batch.length} events`);
      const report = await api.ingestEvents(http, input.org, batch);
      const offset = results.length;
      results.push(...report.results.map((r) => ({ ...r, index: r.index + offset })));
      summary.accepted += report.summary.accepted;
      summary.duplicate += report.summary.duplicate;
      summary.rejected += report.summary.rejected;
    }
    return { results, summary, batches: batches.length };
  },

  view: (pushed) => [
    table(COLUMNS, pushed.results.map(rowOf)),
    fields([
      ["accepted", pushed.summary.accepted],
      ["duplicate", pushed.summary.duplicate],
      ["rejected", pushed.summary.rejected],
      ["requests", pushed.batches],
    ]),
  ],

  csv: (pushed) => ({ columns: COLUMNS, rows: pushed.results.map(rowOf) }),

  // Every result is printed first; a script reads "something was refused" from the exit status.
  failure: ({ summary, results }) =>
    summary.rejected === 0
      ? undefined
      : new CliError(
          "EVENTS_REJECTED",
          `${summary.rejected} of ${results.length} events were rejected`,
        ),
});
