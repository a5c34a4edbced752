import { cell } from "./view.ts";

export interface TableStyle {
  header: (text: string) => string;
}

const plain: TableStyle = { header: (text) => text };

/**
 * Aligns rows under upper-case headers, two spaces between columns, no
 * trailing spaces. Styling is applied after padding so escape codes never
 * count towards a width.
 */
export function formatTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  style: TableStyle = plain,
): string {
  const headers = columns.map((column) => column.toUpperCase());
  const body = rows.map((row) => columns.map((_, index) => cell(row[index])));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...body.map((row) => width(row[index] ?? ""))),
  );
  const line = (values: string[], decorate: (text: string) => string) =>
    values
      .map((value, index) => {
        const last = index === values.length - 1;
        const padded = last ? value : value + " ".repeat((widths[index] ?? 0) - width(value));
        return decorate(padded);
      })
      .join("  ")
      .trimEnd();
  return [line(headers, style.header), ...body.map((row) => line(row, (t) => t))].join("\n");
}

/** `label: value` lines with the values aligned. */
export function formatFields(
  pairs: readonly (readonly [string, unknown])[],
  style: TableStyle = plain,
): string {
  const labelWidth = Math.max(0, ...pairs.map(([label]) => label.length + 1));
  return pairs
    .map(([label, value]) => {
      const padded = `${label}:`.padEnd(labelWidth);
      return `${style.header(padded)}  ${cell(value)}`;
    })
    .join("\n");
}

/** Display width by code point; enough for ids, slugs, emails and ISO times. */
function width(text: string): number {
  return [...text].length;
}
