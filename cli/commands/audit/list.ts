import * as api from "../../api/operations.ts";
import type { AuditRecord } from "../../api/types.ts";
import { table, text, type View } from "../../output/view.ts";
import { instant, optionalString, orgScope, positiveInteger } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";

export const auditList = defineCommand({
  name: "audit list",
  summary: "List audit records, newest first",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--action <action>", description: "only this action, e.g. key.created" },
    { flags: "--actor <id>", description: "only records by this user or key id" },
    { flags: "--since <time>", description: "from this ISO time, or a duration ago (24h)" },
    { flags: "--until <time>", description: "up to this ISO time, or a duration ago" },
    { flags: "--limit <n>", description: "at most this many records" },
    { flags: "--cursor <cursor>", description: "continue from a previous page's nextCursor" },
  ],
  operation: "GET /v1/audit",

  parse: (raw, now) => {
    const since = optionalString(raw, "since");
    const until = optionalString(raw, "until");
    const limit = optionalString(raw, "limit");
    return {
      org: orgScope(raw),
      action: optionalString(raw, "action"),
      actor: optionalString(raw, "actor"),
      since: since === undefined ? undefined : instant(since, "--since", now),
      until: until === undefined ? undefined : instant(until, "--until", now),
      limit: limit === undefined ? undefined : positiveInteger(limit, "--limit"),
      cursor: optionalString(raw, "cursor"),
    };
  },

  async run(query, context) {
    const { http } = await context.session();
    return api.listAudit(http, query);
  },

  view: (page) => {
    const view: View = [auditTable(page.data)];
    return page.nextCursor ? [...view, text(`More records: --cursor ${page.nextCursor}`)] : view;
  },
});

function auditTable(records: readonly AuditRecord[]) {
  const rows = records.map((r) => [
    r.seq,
    r.at,
    r.action,
    `${r.actorKind}:${r.actorId}`,
    r.orgId,
    r.targetId ? `${r.targetType}:${r.targetId}` : r.targetType,
    r.requestId,
  ]);
  return table(["seq", "at", "action", "actor", "org", "target", "request"], rows);
}
