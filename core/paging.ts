import { AppError } from "./errors.ts";

/** A keyset position: the sort value and id of the last row of a page. */
export interface Cursor {
  value: string | number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id]), "utf8").toString("base64url");
}

export function decodeCursor(text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === "string" || typeof parsed[0] === "number") &&
      typeof parsed[1] === "string"
    ) {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("VALIDATION_FAILED", "cursor is not valid");
}

/** Splits `-amount` into the field and its direction. */
export function parseSort<F extends string>(
  sort: string,
  fields: readonly F[],
): { field: F; direction: "asc" | "desc" } {
  const direction = sort.startsWith("-") ? "desc" : "asc";
  const field = sort.replace(/^[-+]/, "");
  if (!(fields as readonly string[]).includes(field)) {
    throw new AppError("VALIDATION_FAILED", `sort must be one of ${fields.join(", ")}`);
  }
  return { field: field as F, direction };
}
