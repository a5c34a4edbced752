import type { Domain } from "../../api/types.ts";
import { fields, table, text, type View } from "../../output/view.ts";

/** One domain, and what to publish while it is not verified. */
export function domainView(domain: Domain): View {
  const view: View = [
    fields([
      ["id", domain.id],
      ["org", domain.orgId],
      ["hostname", domain.hostname],
      ["status", domain.status],
      ["verified", domain.verifiedAt],
      ["last checked", domain.lastCheckedAt],
      ["last check", domain.lastCheckError ?? (domain.lastCheckedAt ? "ok" : null)],
    ]),
  ];
  if (domain.status === "verified") return view;
  return [
    ...view,
    text("Publish this DNS record, then run `partneros domain verify`:"),
    fields([
      ["type", domain.verification.type],
      ["name", domain.verification.name],
      ["value", domain.verification.value],
    ]),
  ];
}

export function domainsView(domains: readonly Domain[]): View {
  const rows = domains.map((d) => [d.id, d.hostname, d.status, d.lastCheckedAt, d.lastCheckError]);
  return [table(["id", "hostname", "status", "last checked", "last check error"], rows)];
}
