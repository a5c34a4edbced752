import { DEAL_SORTS } from "../../../core/services/deals.ts";
import * as api from "../../api/operations.ts";
import { allPages } from "../../api/paging.ts";
import { text, type View } from "../../output/view.ts";
import {
  calendarDate,
  flag,
  MAX_PAGE,
  optionalString,
  orgScope,
  pageLimit,
  type RawInput,
  sortKey,
  stage,
} from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PAGE_OPTIONS, PARTNER_OPTIONS } from "../options.ts";
import { productIdOrThrow } from "../product/resolve.ts";
import { dealsView } from "./view.ts";

const DATE_FILTERS = [
  ["closedFrom", "--closed-from"],
  ["closedTo", "--closed-to"],
  ["engagedFrom", "--engaged-from"],
  ["engagedTo", "--engaged-to"],
] as const;

export const dealList = defineCommand({
  name: "deal list",
  summary: "List the deals of a partner org; amounts in the deal's currency",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--stage <stage>", description: "Prospecting, Engaging, Won or Lost" },
    { flags: "--product <product>", description: "a product name (GTXPro finds GTX Pro) or id" },
    { flags: "--customer <id>", description: "only deals of this customer id" },
    { flags: "--closed-from <date>", description: "closed on or after YYYY-MM-DD" },
    { flags: "--closed-to <date>", description: "closed on or before YYYY-MM-DD" },
    { flags: "--engaged-from <date>", description: "engaged on or after YYYY-MM-DD" },
    { flags: "--engaged-to <date>", description: "engaged on or before YYYY-MM-DD" },
    { flags: "--sort <field>", description: `${DEAL_SORTS.join(", ")}; prefix - to reverse` },
    ...PAGE_OPTIONS,
    { flags: "--all", description: "follow cursors and list every matching deal" },
  ],
  operation: "GET /v1/deals",

  parse: parseDealList,

  async run(input, context) {
    const { http } = await context.session();
    const { product, ...query } = input.query;
    const productId = product === undefined ? undefined : await productIdOrThrow(http, product);
    const filter = { ...query, productId };
    if (!input.all) return api.listDeals(http, input.org, filter);
    const everyPage = { ...filter, limit: filter.limit ?? MAX_PAGE };
    const data = await allPages(
      (cursor) => api.listDeals(http, input.org, { ...everyPage, cursor }),
      filter.cursor,
    );
    return { data, nextCursor: null };
  },

  view: (page) => {
    const view: View = dealsView(page.data);
    return page.nextCursor ? [...view, text(`More deals: --cursor ${page.nextCursor}`)] : view;
  },
});

export function parseDealList(raw: RawInput) {
  const stageText = optionalString(raw, "stage");
  const sort = optionalString(raw, "sort");
  const limit = optionalString(raw, "limit");
  const dates: Partial<Record<(typeof DATE_FILTERS)[number][0], string>> = {};
  for (const [key, option] of DATE_FILTERS) {
    const value = optionalString(raw, key);
    if (value !== undefined) dates[key] = calendarDate(value, option);
  }
  return {
    org: orgScope(raw),
    all: flag(raw, "all"),
    query: {
      ...dates,
      stage: stageText === undefined ? undefined : stage(stageText),
      product: optionalString(raw, "product"),
      customerId: optionalString(raw, "customer"),
      sort: sort === undefined ? undefined : sortKey(sort, DEAL_SORTS),
      limit: limit === undefined ? undefined : pageLimit(limit),
      cursor: optionalString(raw, "cursor"),
    },
  };
}
