import type { ImportIssue } from "../../../core/import/read-export.ts";
import { readCrmExport } from "../../../core/import/read-export.ts";
import type { OperationKey } from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { isInteractive, promptConfirm, type Terminal } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { applyPlan, IMPORT_KEY_SCOPES } from "./apply.ts";
import { formatIssue, issuePolicy, parseImport, skippedByEntity } from "./input.ts";
import { dropInvitations, invitationsFile } from "./invitations.ts";
import { planImport } from "./plan.ts";
import { loadState } from "./state.ts";
import { abortedSummary, appliedSummary, plannedSummary, rows, summaryView } from "./summary.ts";

/** Reading the daemon's state, for a plan. */
const TO_PLAN: readonly OperationKey[] = [
  "GET /v1/tenants",
  "GET /v1/products",
  "GET /v1/users",
  "GET /v1/customers",
  "GET /v1/deals",
];

/** Writing it, with the operator's session; the partners' rows go through a key. */
const TO_APPLY: readonly OperationKey[] = [
  ...TO_PLAN,
  "POST /v1/products",
  "PATCH /v1/products/{productId}",
  "POST /v1/users",
  "POST /v1/keys",
  "POST /v1/keys/{keyId}/revoke",
];

const PROMPT_ISSUES = 20;

export const importCommand = defineCommand({
  name: "import",
  summary: "Import a CRM export (partners, users, products, customers, deals); safe to re-run",
  args: ["<dir>"],
  options: [
    { flags: "--dry-run", description: "show what would change and write nothing" },
    {
      flags: "--on-error <mode>",
      description: "rows with problems: skip them, or abort (default)",
    },
    {
      flags: "--yes",
      description: "never prompt; rows with problems abort unless --on-error skip",
    },
    { flags: "--currency <code>", description: "currency of prices and values (default USD)" },
    {
      flags: "--map <entity.field=column>",
      description: "read a field from another column, e.g. deals.amount=value",
      repeatable: true,
    },
    {
      flags: "--file <entity=file>",
      description: "read an entity from another file, e.g. partners=resellers.csv",
      repeatable: true,
    },
    {
      flags: "--invitations-out <file>",
      description: "write invitation tokens as JSON to this new file (mode 0600)",
    },
  ],
  operation: "POST /v1/tenants",

  parse: (raw) => parseImport(raw),

  async run(input, context) {
    const { terminal } = context.runtime;
    const progress = context.runtime.progress ?? (() => {});
    const crm = readCrmExport(input.dir, input.layout, input.currency);
    const base = {
      dir: input.dir,
      currency: input.currency,
      issues: crm.issues,
      skipped: skippedByEntity(crm.issues, input.layout),
    };
    if (crm.issues.length > 0) {
      const policy = issuePolicy(input, isInteractive(terminal));
      const skip = policy === "ask" ? await askToSkip(terminal, crm.issues) : policy === "skip";
      if (!skip) return abortedSummary(base);
    }

    // A key's scopes must be the operator's own, hence the customer and deal writes.
    const session = await context.session({
      operations: input.dryRun ? TO_PLAN : TO_APPLY,
      grants: input.dryRun ? [] : IMPORT_KEY_SCOPES,
      purpose: input.dryRun ? "to plan an import" : "to import",
    });
    progress("reading the daemon's current state");
    const state = await loadState(session.http, crm, progress);
    const plan = planImport(crm, state);
    if (input.dryRun) return plannedSummary(base, plan);

    const invitations = input.invitationsOut
      ? invitationsFile(input.invitationsOut)
      : dropInvitations();
    try {
      const now = context.runtime.now;
      const applied = await applyPlan({ session, invitations, progress, now }, plan, state);
      return appliedSummary(base, applied, invitations.path);
    } finally {
      invitations.close();
    }
  },

  view: summaryView,

  failure: (result) =>
    result.status === "aborted"
      ? new CliError(
          "VALIDATION_FAILED",
          `${rows(result.issues.length)} with problems; nothing was imported ` +
            "(fix them, or pass --on-error skip to import the rest)",
        )
      : undefined,
});

async function askToSkip(terminal: Terminal, issues: readonly ImportIssue[]): Promise<boolean> {
  const shown = issues.slice(0, PROMPT_ISSUES).map((issue) => `  ${formatIssue(issue)}`);
  const more =
    issues.length > PROMPT_ISSUES ? [`  … and ${issues.length - PROMPT_ISSUES} more`] : [];
  const message = [
    `${rows(issues.length)} with problems:`,
    ...shown,
    ...more,
    "Skip them and import the rest?",
  ].join("\n");
  return promptConfirm(terminal, message);
}
