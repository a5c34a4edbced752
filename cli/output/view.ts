/** What a command shows a human; `--json` ignores it and prints the data instead. */
export type Block =
  | { kind: "table"; columns: readonly string[]; rows: readonly (readonly unknown[])[] }
  | { kind: "fields"; fields: readonly (readonly [string, unknown])[] }
  | { kind: "text"; text: string };

export type View = readonly Block[];

export const table = (
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Block => ({
  kind: "table",
  columns,
  rows,
});

export const fields = (pairs: readonly (readonly [string, unknown])[]): Block => ({
  kind: "fields",
  fields: pairs,
});

export const text = (value: string): Block => ({ kind: "text", text: value });

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same, newlines kept.
const CONTROL_IN_TEXT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * A value partners may have written, made safe for a terminal: every control
 * character is shown as `\u` and four hex digits, so a name cannot move the
 * cursor, recolour the screen, set the window title or forge a table row.
 */
export function printable(value: string, keepNewlines = false): string {
  return value.replace(keepNewlines ? CONTROL_IN_TEXT : CONTROL, escaped);
}

/** One cell as text: absent values show as `-`, lists as comma-separated. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(cell).join(",");
  if (typeof value === "object") return printable(JSON.stringify(value));
  return printable(String(value));
}
