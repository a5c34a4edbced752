import type { Page } from "./types.ts";

/** Every row from `cursor` on, following `nextCursor` until the last page. */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  cursor?: string,
): Promise<T[]> {
  const rows: T[] = [];
  let next = cursor;
  do {
    const page = await fetchPage(next);
    rows.push(...page.data);
    next = page.nextCursor ?? undefined;
  } while (next !== undefined);
  return rows;
}
