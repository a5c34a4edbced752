import { readFileSync } from "node:fs";
import { AppError } from "../../../core/errors.ts";

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

/** Most items one request carries, and a body size safely under the daemon's 1 MiB limit. */
export const BATCH_ITEMS = 1000;
export const BATCH_BYTES = 900 * 1024;

/**
 * The events of a push file: a JSON array, an object `{"events": [...]}`, one
 * event object, or NDJSON (one object per line). Items are not checked here:
 * the daemon reports each one.
 */
export function parseEventsText(text: string, source: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") throw invalid(`${source} holds no events`);
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    return parseNdjson(trimmed, source);
  }
  if (Array.isArray(whole)) return nonEmpty(whole, source);
  if (whole !== null && typeof whole === "object") {
    if (!Object.hasOwn(whole, "events")) return [whole];
    const events = Reflect.get(whole, "events");
    if (Array.isArray(events)) return nonEmpty(events, source);
  }
  throw invalid(`${source} must hold a JSON array, {"events": [...]} or one object per line`);
}

function parseNdjson(text: string, source: string): unknown[] {
  const items: unknown[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw invalid(`${source}:${index + 1}: not a JSON value`);
    }
  });
  return nonEmpty(items, source);
}

function nonEmpty(items: unknown[], source: string): unknown[] {
  if (items.length === 0) throw invalid(`${source} holds no events`);
  return items;
}

/** Consecutive batches of at most BATCH_ITEMS items and about BATCH_BYTES of JSON each. */
export function batchesOf(items: readonly unknown[]): unknown[][] {
  const batches: unknown[][] = [];
  let current: unknown[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item) ?? "null") + 1;
    if (current.length > 0 && (current.length === BATCH_ITEMS || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The text of `path`, or of standard input for `-`. */
export async function readSource(
  path: string,
  stdin: AsyncIterable<string | Buffer>,
): Promise<string> {
  if (path !== "-") {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw invalid(`cannot read ${path}: ${code}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
