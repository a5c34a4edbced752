import type { Entity } from "../../../core/import/mapping.ts";
import type { ImportIssue } from "../../../core/import/read-export.ts";
import { fields, table, text, type View } from "../../output/view.ts";
import type { Applied, PartnerApplied } from "./apply.ts";
import { formatIssue } from "./input.ts";
import { addTally, emptyTally, type Plan, type Tally } from "./plan.ts";

/** Entities in the order they are written and shown. */
export const ENTITIES: readonly Entity[] = ["products", "partners", "users", "customers", "deals"];

export interface EntityCounts extends Tally {
  /** Rows left out because they, or a row they depend on, have a problem. */
  skipped: number;
}

/**
 * What an import did (`applied`), would do (`planned`, a dry run) or refused
 * to do (`aborted`, rows with problems). The numbers mean the same in all three.
 */
export interface ImportSummary {
  status: "aborted" | "planned" | "applied";
  dir: string;
  currency: string;
  entities: Record<Entity, EntityCounts>;
  partners: PartnerApplied[];
  invitationsFile: string | null;
  issues: ImportIssue[];
}

interface SummaryBase {
  dir: string;
  currency: string;
  issues: ImportIssue[];
  skipped: Record<Entity, number>;
}

export function abortedSummary(base: SummaryBase): ImportSummary {
  return summary(base, "aborted", { products: emptyTally(), partners: [] }, null);
}

/** A dry run: the plan's counts, as if it had been applied. */
export function plannedSummary(base: SummaryBase, plan: Plan): ImportSummary {
  const partners = plan.partners.map((p) => ({
    partner: p.slug,
    tenant: p.exists ? { ...emptyTally(), unchanged: 1 } : { ...emptyTally(), created: 1 },
    ...p.tally,
  }));
  const products = {
    created: plan.products.create.length,
    updated: plan.products.update.length,
    unchanged: plan.products.unchanged,
  };
  return summary(base, "planned", { products, partners }, null);
}

export function appliedSummary(
  base: SummaryBase,
  applied: Applied,
  invitationsFile: string | null,
): ImportSummary {
  return summary(base, "applied", applied, invitationsFile);
}

function summary(
  base: SummaryBase,
  status: ImportSummary["status"],
  done: Pick<Applied, "products" | "partners">,
  invitationsFile: string | null,
): ImportSummary {
  const sum = (pick: (p: PartnerApplied) => Tally) =>
    done.partners.map(pick).reduce(addTally, emptyTally());
  const totals: Record<Entity, Tally> = {
    products: done.products,
    partners: sum((p) => p.tenant),
    users: sum((p) => p.users),
    customers: sum((p) => p.customers),
    deals: sum((p) => p.deals),
  };
  const entities = Object.fromEntries(
    ENTITIES.map((entity) => [entity, { ...totals[entity], skipped: base.skipped[entity] }]),
  ) as Record<Entity, EntityCounts>;
  return {
    status,
    dir: base.dir,
    currency: base.currency,
    entities,
    partners: done.partners,
    invitationsFile,
    issues: base.issues,
  };
}

export function summaryView(result: ImportSummary): View {
  const issues = result.issues.map(formatIssue).join("\n");
  if (result.status === "aborted") {
    return [
      text(issues),
      text(`${rows(result.issues.length)} with problems; nothing was imported.`),
    ];
  }

  const planned = result.status === "planned";
  const heads = planned ? ["create", "update", "unchanged"] : ["created", "updated", "unchanged"];
  const entityRows = ENTITIES.map((entity) => {
    const c = result.entities[entity];
    return [entity, c.created, c.updated, c.unchanged, c.skipped];
  });
  const partnerRows = result.partners.flatMap((p) =>
    (["users", "customers", "deals"] as const).map((entity) => {
      const t = p[entity];
      return [p.partner, entity, t.created, t.updated, t.unchanged];
    }),
  );
  const view: View = [
    text(planned ? `Dry run of ${result.dir}: nothing was written.` : `Imported ${result.dir}.`),
    table(["entity", ...heads, "skipped"], entityRows),
    table(["partner", "entity", ...heads], partnerRows),
  ];
  const notes = [...invitationNote(result), ...skippedNote(result, issues)];
  return [...view, ...notes];
}

function invitationNote(result: ImportSummary): View {
  const invited = result.entities.users.created;
  if (result.status !== "applied" || invited === 0) return [];
  return result.invitationsFile
    ? [fields([["invitations", `${invited} tokens in ${result.invitationsFile}`]])]
    : [
        text(
          `Invited ${invited} users; their invitation tokens were not kept ` +
            "(pass --invitations-out <file> to keep them).",
        ),
      ];
}

function skippedNote(result: ImportSummary, issues: string): View {
  if (result.issues.length === 0) return [];
  const verb = result.status === "planned" ? "Would skip" : "Skipped";
  return [text(`${verb} ${rows(result.issues.length)} with problems:`), text(issues)];
}

/** `1 row`, `4 rows`. */
export const rows = (n: number) => (n === 1 ? "1 row" : `${n} rows`);
