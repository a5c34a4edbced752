import { describe, expect, it, vi } from "vitest";
import type { Product } from "../../cli/api/types.ts";
import { findProduct } from "../../cli/commands/product/resolve.ts";
import {
  type DealsQueryResult,
  dealsQueryCsv,
  parseDealsQuery,
  queryDeals,
  totalsOf,
} from "../../cli/commands/query/deals.ts";
import type { CommandContext } from "../../cli/context.ts";
import { formatCsv } from "../../cli/output/csv.ts";
import type { RawInput } from "../../cli/parse.ts";
import { AppError } from "../../core/errors.ts";

const raw = (options: Record<string, unknown>): RawInput => ({ args: [], options });
const base = { allPartners: true, reason: "quarterly review", groupBy: "partner" };

function failure(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : "not an AppError";
  }
  return undefined;
}

describe("query deals arguments", () => {
  it("asks the daemon for every partner with the reason trimmed", () => {
    expect(parseDealsQuery(raw({ ...base, reason: "  quarterly review " }))).toEqual({
      query: { partners: "all", reason: "quarterly review", groupBy: "partner" },
      product: undefined,
    });
  });

  it("names the partners of --partners, without repeats or blanks", () => {
    const input = parseDealsQuery(
      raw({ reason: "audit", groupBy: "stage", partners: "acme, globex,,acme" }),
    );
    expect(input.query.partners).toEqual(["acme", "globex"]);
  });

  it("passes the filters on and keeps the product for resolution", () => {
    const input = parseDealsQuery(
      raw({ ...base, stage: "Won", since: "2017-01-01", until: "2017-06-30", product: "GTXPro" }),
    );
    expect(input).toEqual({
      query: {
        partners: "all",
        reason: "quarterly review",
        groupBy: "partner",
        stage: "Won",
        since: "2017-01-01",
        until: "2017-06-30",
      },
      product: "GTXPro",
    });
  });

  it.each([
    ["no --reason", { ...base, reason: undefined }, /--reason is required/],
    ["a blank --reason", { ...base, reason: "   " }, /--reason is required/],
    ["a two-letter --reason", { ...base, reason: "ok" }, /at least 3/],
    ["both partner options", { ...base, partners: "acme" }, /exactly one/],
    ["neither partner option", { ...base, allPartners: undefined }, /exactly one/],
    ["no --group-by", { ...base, groupBy: undefined }, /--group-by is required/],
    ["an unknown --group-by", { ...base, groupBy: "year" }, /--group-by must be one of/],
    ["an unknown stage", { ...base, stage: "won" }, /--stage must be one of/],
    ["a date that does not exist", { ...base, since: "2017-02-30" }, /--since must be a date/],
    ["a time instead of a date", { ...base, until: "2017-02-01T00:00" }, /--until must be/],
    ["--until before --since", { ...base, since: "2017-02-01", until: "2017-01-01" }, /before/],
  ])("refuses %s locally with VALIDATION_FAILED", (_label, options, message) => {
    const outcome = failure(() => parseDealsQuery(raw(options)));
    expect(outcome).toMatch(/^VALIDATION_FAILED: /);
    expect(outcome).toMatch(message);
  });

  it("refuses a missing reason before it authenticates or calls the daemon", async () => {
    const session = vi.fn(() => Promise.reject(new Error("called the daemon")));
    const context = { session } as unknown as CommandContext;

    const run = queryDeals.execute(raw({ ...base, reason: " " }), context, new Date());

    await expect(run).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(session).not.toHaveBeenCalled();
  });
});

describe("query deals output", () => {
  const result: DealsQueryResult = {
    partners: 2,
    groupBy: "partner",
    rows: [
      { group: "acme", currency: "USD", deals: 2, total: 105_400 },
      { group: "acme", currency: "EUR", deals: 1, total: 999 },
      { group: "globex, inc", currency: "USD", deals: 1, total: 50 },
    ],
    totals: [],
  };

  it("adds up deals and totals per currency, never across currencies", () => {
    expect(totalsOf(result.rows)).toEqual([
      { currency: "EUR", deals: 1, total: 999 },
      { currency: "USD", deals: 3, total: 105_450 },
    ]);
  });

  it("prints CSV with minor units and formatted money, quoting where needed", () => {
    expect(formatCsv(dealsQueryCsv(result))).toBe(
      [
        "group,currency,deals,total_minor,total",
        'acme,USD,2,105400,"$1,054.00"',
        "acme,EUR,1,999,€9.99",
        '"globex, inc",USD,1,50,$0.50',
        "",
      ].join("\n"),
    );
  });
});

describe("findProduct", () => {
  const product = (id: string, name: string, code: string): Product => ({
    id,
    name,
    code,
    series: null,
    listPrice: null,
    currency: "USD",
    createdAt: "2017-01-01T00:00:00.000Z",
    updatedAt: "2017-01-01T00:00:00.000Z",
  });
  const catalogue = [
    product("prd_1", "GTX Pro", "gtxpro"),
    product("prd_2", "GTX Basic", "gtxbasic"),
  ];

  it.each([
    ["an id", "prd_2", "prd_2"],
    ["the exact name", "GTX Pro", "prd_1"],
    ["the name as exports spell it", "GTXPro", "prd_1"],
    ["another case and punctuation", "gtx-basic", "prd_2"],
  ])("finds a product by %s", (_label, ref, id) => {
    expect(findProduct(catalogue, ref)?.id).toBe(id);
  });

  it.each([["GTX"], ["-"], ["prd_3"]])("finds nothing for %s", (ref) => {
    expect(findProduct(catalogue, ref)).toBeUndefined();
  });
});
