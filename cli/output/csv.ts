import { stringify } from "csv-stringify/sync";

/** A result as one header row and plain cells, the shape `--csv` prints. */
export interface Tabular {
  columns: readonly string[];
  rows: readonly (readonly (string | number | null)[])[];
}

/** RFC 4180 CSV with a header line; null cells are empty. */
export function formatCsv(tabular: Tabular): string {
  return stringify([[...tabular.columns], ...tabular.rows.map((row) => [...row])], {
    cast: { number: (value) => String(value) },
  });
}
