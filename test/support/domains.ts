import { newId } from "../../core/ids.ts";
import type { DomainStatus } from "../../core/store/schema.ts";
import type { Store } from "../../core/store/store.ts";

/** Writes a domain row as the verification service would leave it, without DNS. */
export async function insertDomain(
  store: Store,
  orgId: string,
  hostname: string,
  status: DomainStatus,
): Promise<string> {
  const now = new Date().toISOString();
  const id = newId("domain");
  await store.db
    .insertInto("domains")
    .values({
      id,
      org_id: orgId,
      hostname,
      status,
      challenge: `partneros-verification=${id}`,
      created_at: now,
      updated_at: now,
      verified_at: status === "pending" ? null : now,
      last_checked_at: null,
      last_check_error: null,
    })
    .execute();
  return id;
}
