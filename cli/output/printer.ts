import type { ChalkInstance } from "chalk";
import { formatFields, formatTable } from "./table.ts";
import { type Block, printable, type View } from "./view.ts";

export interface PrintOptions {
  json: boolean;
  color: ChalkInstance;
}

/**
 * Renders a command's result: its data as JSON with `--json`, its view
 * otherwise. Blocks are separated by a blank line; consecutive text blocks
 * read as one paragraph.
 */
export function render(data: unknown, view: View, options: PrintOptions): string {
  if (options.json) return `${JSON.stringify(data ?? null, null, 2)}\n`;
  let out = "";
  let previous: Block | undefined;
  for (const block of view) {
    if (previous) out += previous.kind === "text" && block.kind === "text" ? "\n" : "\n\n";
    out += renderBlock(block, options.color);
    previous = block;
  }
  return out === "" ? "" : `${out}\n`;
}

function renderBlock(block: Block, color: ChalkInstance): string {
  const style = { header: (text: string) => color.bold(text) };
  if (block.kind === "table") {
    return block.rows.length === 0 ? "(none)" : formatTable(block.columns, block.rows, style);
  }
  if (block.kind === "fields") return formatFields(block.fields, style);
  return printable(block.text, true);
}
