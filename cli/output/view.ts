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

/** One cell as text: absent values show as `-`, lists as comma-separated. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(cell).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
