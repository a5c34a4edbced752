import { AppError } from "../../../core/errors.ts";
import { formatMoney } from "../../../core/money.ts";
import { GROUP_BYS } from "../../../core/services/cross-partner.ts";
import * as api from "../../api/operations.ts";
import type { CrossPartnerQuery, CrossPartnerRow, GroupBy } from "../../api/types.ts";
import type { Tabular } from "../../output/csv.ts";
import { table, text } from "../../output/view.ts";
import {
  calendarDate,
  commaList,
  flag,
  oneOf,
  optionalString,
  type RawInput,
  stage,
} from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { productIdOrThrow } from "../product/resolve.ts";

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

export interface DealsQueryInput {
  query: Omit<CrossPartnerQuery, "productId">;
  /** A product name or id, resolved through the catalogue before the query. */
  product: string | undefined;
}

export interface CurrencyTotal {
  currency: string;
  deals: number;
  total: number;
}

export interface DealsQueryResult {
  partners: number;
  groupBy: GroupBy;
  rows: CrossPartnerRow[];
  /** One line per currency: amounts in different currencies are never added up. */
  totals: CurrencyTotal[];
}

export const queryDeals = defineCommand({
  name: "query deals",
  summary: "Aggregate deals across partners; audited, and needs a --reason",
  options: [
    { flags: "--all-partners", description: "every partner org" },
    { flags: "--partners <list>", description: "comma-separated partner slugs or ids" },
    { flags: "--reason <text>", description: "why you look across partners (audited; required)" },
    { flags: "--stage <stage>", description: "Prospecting, Engaging, Won or Lost" },
    { flags: "--product <product>", description: "a product name (GTXPro finds GTX Pro) or id" },
    { flags: "--since <date>", description: "closed on or after YYYY-MM-DD" },
    { flags: "--until <date>", description: "closed on or before YYYY-MM-DD" },
    { flags: "--group-by <key>", description: `${GROUP_BYS.join(", ")} (required)` },
  ],
  operation: "POST /v1/cross-partner/deals/query",

  parse: parseDealsQuery,

  async run(input, context): Promise<DealsQueryResult> {
    const { http } = await context.session();
    const productId =
      input.product === undefined ? undefined : await productIdOrThrow(http, input.product);
    const body: CrossPartnerQuery =
      productId === undefined ? input.query : { ...input.query, productId };
    const result = await api.queryCrossPartnerDeals(http, body);
    return { ...result, groupBy: input.query.groupBy, totals: totalsOf(result.rows) };
  },

  view: (result) => {
    const money = (minor: number, currency: string) => formatMoney(minor, currency);
    const rows = result.rows.map((r) => [r.group, r.currency, r.deals, money(r.total, r.currency)]);
    const totals = result.totals.map((t) => [
      "total",
      t.currency,
      t.deals,
      money(t.total, t.currency),
    ]);
    // Partners in the query's scope, whether or not any of their deals matched.
    const partners = result.partners === 1 ? "1 partner" : `${result.partners} partners`;
    return [
      table(["group", "currency", "deals", "total"], [...rows, ...totals]),
      text(`Across ${partners} queried, grouped by ${result.groupBy}.`),
    ];
  },

  csv: dealsQueryCsv,
});

export function parseDealsQuery(raw: RawInput): DealsQueryInput {
  const reason = optionalString(raw, "reason")?.trim() ?? "";
  if (reason === "") throw invalid("--reason is required: say why you query across partners");
  if (reason.length < 3) throw invalid("--reason needs at least 3 characters");

  const all = flag(raw, "allPartners");
  const list = optionalString(raw, "partners");
  if (all === (list !== undefined)) throw invalid("give exactly one of --all-partners, --partners");

  const groupBy = optionalString(raw, "groupBy");
  if (groupBy === undefined) throw invalid(`--group-by is required: ${GROUP_BYS.join(", ")}`);

  const stageText = optionalString(raw, "stage");
  const since = optionalString(raw, "since");
  const until = optionalString(raw, "until");
  const query: DealsQueryInput["query"] = {
    partners: list === undefined ? "all" : commaList(list, "--partners"),
    reason,
    groupBy: oneOf(groupBy, GROUP_BYS, "--group-by"),
  };
  if (stageText !== undefined) query.stage = stage(stageText);
  if (since !== undefined) query.since = calendarDate(since, "--since");
  if (until !== undefined) query.until = calendarDate(until, "--until");
  if (query.since && query.until && query.until < query.since) {
    throw invalid("--until is before --since");
  }
  return { query, product: optionalString(raw, "product") };
}

export function totalsOf(rows: readonly CrossPartnerRow[]): CurrencyTotal[] {
  const byCurrency = new Map<string, CurrencyTotal>();
  for (const row of rows) {
    const sum = byCurrency.get(row.currency) ?? { currency: row.currency, deals: 0, total: 0 };
    byCurrency.set(row.currency, {
      ...sum,
      deals: sum.deals + row.deals,
      total: sum.total + row.total,
    });
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export function dealsQueryCsv(result: DealsQueryResult): Tabular {
  return {
    columns: ["group", "currency", "deals", "total_minor", "total"],
    rows: result.rows.map((r) => [
      r.group,
      r.currency,
      r.deals,
      r.total,
      formatMoney(r.total, r.currency),
    ]),
  };
}
