import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { fields } from "../../output/view.ts";
import { defineCommand } from "../define.ts";

export const auditVerify = defineCommand({
  name: "audit verify",
  summary: "Check the hash chain of the whole audit log (exit 10 when broken)",
  operation: "GET /v1/audit/verify",

  parse: () => ({}),

  async run(_input, context) {
    const { http } = await context.session();
    return api.verifyAudit(http);
  },

  view: (verdict) =>
    verdict.ok
      ? [
          fields([
            ["chain", "intact"],
            ["records", verdict.records],
            ["head hash", verdict.headHash],
          ]),
        ]
      : [
          fields([
            ["chain", "BROKEN"],
            ["records", verdict.records],
            ["first bad seq", verdict.firstBadSeq],
            ["first bad id", verdict.firstBadId],
            ["problem", verdict.problem],
          ]),
        ],

  failure: (verdict) =>
    verdict.ok
      ? undefined
      : new CliError(
          "AUDIT_CHAIN_BROKEN",
          `audit record ${verdict.firstBadSeq} (${verdict.firstBadId}) was ${verdict.problem}`,
        ),
});
