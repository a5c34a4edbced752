import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Chalk } from "chalk";
import { afterEach, describe, expect, it } from "vitest";
import type { Customer, Deal, Product, Tenant, User } from "../../cli/api/types.ts";
import {
  formatIssue,
  issuePolicy,
  parseImport,
  skippedByEntity,
} from "../../cli/commands/import/input.ts";
import { invitationsFile } from "../../cli/commands/import/invitations.ts";
import {
  type DaemonState,
  dealOutcome,
  type PartnerState,
  planImport,
} from "../../cli/commands/import/plan.ts";
import { plannedSummary, summaryView } from "../../cli/commands/import/summary.ts";
import { render } from "../../cli/output/printer.ts";
import type { RawInput } from "../../cli/parse.ts";
import { AppError } from "../../core/errors.ts";
import { buildLayout, DEFAULT_LAYOUT } from "../../core/import/mapping.ts";
import type { CrmExport, DealRecord } from "../../core/import/read-export.ts";

const raw = (args: string[], options: Record<string, unknown>): RawInput => ({ args, options });
const AT = "2017-01-01T00:00:00.000Z";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : "not an AppError";
  }
  return undefined;
}

describe("import arguments", () => {
  it("defaults to USD, the default layout and no error policy", () => {
    const input = parseImport(raw(["crm"], {}));
    expect(input).toEqual({
      dir: resolve("crm"),
      dryRun: false,
      onError: undefined,
      yes: false,
      currency: "USD",
      layout: buildLayout([]),
      invitationsOut: undefined,
    });
  });

  it("applies --file and --map overrides to the layout", () => {
    const input = parseImport(
      raw(["crm"], {
        file: ["partners=resellers.csv"],
        map: ["deals.amount=value", "users.email=mail"],
        currency: "eur",
        onError: "skip",
        dryRun: true,
      }),
    );
    expect(input.layout.partners.file).toBe("resellers.csv");
    expect(input.layout.deals.columns.amount).toBe("value");
    expect(input.layout.users.columns.email).toBe("mail");
    expect(input.layout.deals.file).toBe(DEFAULT_LAYOUT.deals.file);
    expect([input.currency, input.onError, input.dryRun]).toEqual(["EUR", "skip", true]);
  });

  it.each([
    ["a --map without a field", { map: ["deals=value"] }],
    ["a --file with a field", { file: ["deals.amount=x.csv"] }],
    ["an unknown entity", { file: ["orders=orders.csv"] }],
    ["an unknown field", { map: ["deals.price=value"] }],
    ["an unknown --on-error", { onError: "ignore" }],
    ["a currency that is not ISO 4217", { currency: "XYZ" }],
  ])("refuses %s", (_label, options) => {
    expect(code(() => parseImport(raw(["crm"], options)))).toBe("VALIDATION_FAILED");
  });

  it.each([
    ["--on-error skip", { onError: "skip" }, true, "skip"],
    ["--on-error abort on a terminal", { onError: "abort" }, true, "abort"],
    ["--yes", { yes: true }, true, "abort"],
    ["--yes with --on-error skip", { yes: true, onError: "skip" }, false, "skip"],
    ["no flag and no terminal", {}, false, "abort"],
    ["no flag on a terminal", {}, true, "ask"],
  ])("handles rows with problems for %s", (_label, options, interactive, policy) => {
    expect(issuePolicy(parseImport(raw(["crm"], options)), interactive)).toBe(policy);
  });
});

describe("import issues", () => {
  const issues = [
    { file: "sales_pipeline.csv", line: 12, message: 'unknown product "GTX Ultra"' },
    { file: "sales_pipeline.csv", line: 14, message: "negative amount -5" },
    { file: "deals.csv", line: 3, message: "bad date" },
    { file: "accounts.csv", line: 2, message: "missing field account" },
  ];

  it("names the file and line of each", () => {
    expect(formatIssue(issues[0] as (typeof issues)[0])).toBe(
      'sales_pipeline.csv:12: unknown product "GTX Ultra"',
    );
  });

  it("counts them against the entity whose file they name", () => {
    expect(skippedByEntity(issues, buildLayout([]))).toEqual({
      partners: 0,
      users: 0,
      products: 0,
      customers: 1,
      deals: 2,
    });
    expect(skippedByEntity(issues, buildLayout(["deals=deals.csv"])).deals).toBe(1);
  });
});

const product = (id: string, name: string, fields: Partial<Product> = {}): Product => ({
  id,
  code: name.toLowerCase().replaceAll(/[^a-z0-9]/g, ""),
  name,
  series: "GTX",
  listPrice: 55_000,
  currency: "USD",
  createdAt: AT,
  updatedAt: AT,
  ...fields,
});

const tenant = (slug: string): Tenant => ({
  id: `org_${slug}`,
  slug,
  name: slug,
  accountType: "partner",
  status: "active",
  createdAt: AT,
  updatedAt: AT,
});

const user = (email: string): User => ({
  id: `usr_${email.split("@")[0]}`,
  orgId: "org_acme",
  email,
  name: email,
  role: "partner_member",
  status: "invited",
  createdAt: AT,
  updatedAt: AT,
});

const customer = (ref: string, fields: Partial<Customer> = {}): Customer => ({
  id: `cus_${ref}`,
  orgId: "org_acme",
  externalRef: ref,
  name: ref,
  sector: "retail",
  country: "United States",
  createdAt: AT,
  updatedAt: AT,
  ...fields,
});

const dealRecord = (ref: string, fields: Partial<DealRecord> = {}): DealRecord => ({
  line: 2,
  partner: "acme",
  externalRef: ref,
  productCode: "gtxbasic",
  customerRef: "Cancity",
  stage: "Won",
  amount: 105_400,
  engageDate: "2016-10-20",
  closeDate: "2017-03-01",
  ownerEmail: "pat@acme.test",
  ...fields,
});

/** The deal the daemon holds for `dealRecord(ref)` once everything exists. */
const deal = (ref: string, fields: Partial<Deal> = {}): Deal => ({
  id: `deal_${ref}`,
  orgId: "org_acme",
  externalRef: ref,
  productId: "prd_basic",
  customerId: "cus_Cancity",
  stage: "Won",
  amount: 105_400,
  currency: "USD",
  engageDate: "2016-10-20",
  closeDate: "2017-03-01",
  ownerUserId: "usr_pat",
  createdAt: AT,
  updatedAt: AT,
  ...fields,
});

function crm(deals: DealRecord[]): CrmExport {
  return {
    currency: "USD",
    partners: [
      { slug: "acme", name: "Acme", adminName: "Ada", adminEmail: "ada@acme.test" },
      { slug: "globex", name: "Globex", adminName: "Gil", adminEmail: "gil@globex.test" },
    ],
    users: [
      { partner: "acme", name: "Ada", email: "ada@acme.test", role: "partner_admin" },
      { partner: "acme", name: "Pat", email: "pat@acme.test", role: "partner_member" },
      { partner: "globex", name: "Gil", email: "gil@globex.test", role: "partner_admin" },
    ],
    products: [
      { name: "GTX Basic", code: "gtxbasic", series: "GTX", listPrice: 55_000 },
      { name: "GTX Pro", code: "gtxpro", series: "GTX", listPrice: 482_100 },
      { name: "MG Special", code: "mgspecial", series: "MG", listPrice: 5_500 },
    ],
    customers: new Map(
      ["Cancity", "Isdom", "Unused"].map((name) => [
        name,
        { externalRef: name, name, sector: "retail", country: "United States" },
      ]),
    ),
    deals,
    issues: [],
  };
}

function state(acme: Partial<PartnerState>): DaemonState {
  return {
    products: [
      product("prd_basic", "GTX Basic"),
      product("prd_pro", "GTX Pro", { listPrice: 400_000 }),
    ],
    tenants: [tenant("acme")],
    partners: new Map([["acme", { users: [], customers: [], deals: [], ...acme }]]),
  };
}

describe("planImport", () => {
  it("creates everything on an empty daemon", () => {
    const empty: DaemonState = { products: [], tenants: [], partners: new Map() };
    const plan = planImport(
      crm([dealRecord("D1"), dealRecord("D2", { partner: "globex" })]),
      empty,
    );

    expect(plan.products.create.map((p) => p.code)).toEqual(["gtxbasic", "gtxpro", "mgspecial"]);
    expect(plan.tenants.create.map((t) => t.slug)).toEqual(["acme", "globex"]);
    expect(plan.partners.map((p) => [p.slug, p.exists, p.tally])).toEqual([
      [
        "acme",
        false,
        {
          users: { created: 2, updated: 0, unchanged: 0 },
          customers: { created: 1, updated: 0, unchanged: 0 },
          deals: { created: 1, updated: 0, unchanged: 0 },
        },
      ],
      [
        "globex",
        false,
        {
          users: { created: 1, updated: 0, unchanged: 0 },
          customers: { created: 1, updated: 0, unchanged: 0 },
          deals: { created: 1, updated: 0, unchanged: 0 },
        },
      ],
    ]);
  });

  it("gives each partner only the customers its deals refer to", () => {
    const plan = planImport(
      crm([
        dealRecord("D1", { customerRef: "Isdom" }),
        dealRecord("D2", { customerRef: "Cancity" }),
        dealRecord("D3", { customerRef: "Isdom" }),
        dealRecord("D4", { customerRef: null, stage: "Prospecting", amount: null }),
      ]),
      state({}),
    );
    expect(plan.partners[0]?.customers.map((c) => c.externalRef)).toEqual(["Cancity", "Isdom"]);
    expect(plan.partners[1]?.customers).toEqual([]);
  });

  it("compares products by code, series and list price", () => {
    const plan = planImport(crm([]), state({}));
    expect(plan.products).toMatchObject({
      create: [{ code: "mgspecial" }],
      update: [{ id: "prd_pro", record: { code: "gtxpro", listPrice: 482_100 } }],
      unchanged: 1,
    });
  });

  it("leaves a partner that already holds the export unchanged", () => {
    const plan = planImport(
      crm([dealRecord("D1")]),
      state({
        users: [user("ada@acme.test"), user("pat@acme.test")],
        customers: [customer("Cancity")],
        deals: [deal("D1")],
      }),
    );
    expect(plan.partners[0]?.invite).toEqual([]);
    expect(plan.partners[0]?.tally).toEqual({
      users: { created: 0, updated: 0, unchanged: 2 },
      customers: { created: 0, updated: 0, unchanged: 1 },
      deals: { created: 0, updated: 0, unchanged: 1 },
    });
  });

  it.each([
    ["name", { name: "Cancity Inc" }],
    ["sector", { sector: "technolgy" }],
    ["country", { country: null }],
  ])("updates a customer whose %s differs", (_label, fields) => {
    const plan = planImport(
      crm([dealRecord("D1")]),
      state({ customers: [customer("Cancity", fields)] }),
    );
    expect(plan.partners[0]?.tally.customers).toEqual({ created: 0, updated: 1, unchanged: 0 });
  });

  it("invites only the users it does not find by email", () => {
    const plan = planImport(crm([]), state({ users: [user("pat@acme.test")] }));
    expect(plan.partners[0]?.invite.map((u) => [u.email, u.role])).toEqual([
      ["ada@acme.test", "partner_admin"],
    ]);
  });
});

describe("deal classification", () => {
  const everything = {
    users: [user("pat@acme.test")],
    customers: [customer("Cancity")],
  };

  it.each([
    ["product", dealRecord("D1", { productCode: "gtxpro" })],
    ["customer", dealRecord("D1", { customerRef: "Isdom" })],
    ["stage", dealRecord("D1", { stage: "Lost", amount: 0 })],
    ["amount", dealRecord("D1", { amount: 105_401 })],
    ["engage date", dealRecord("D1", { engageDate: "2016-10-21" })],
    ["close date", dealRecord("D1", { closeDate: "2017-03-02" })],
    ["owner", dealRecord("D1", { ownerEmail: "new@acme.test" })],
    ["missing amount", dealRecord("D1", { amount: null })],
  ])("updates a deal whose %s differs", (_label, record) => {
    const plan = planImport(crm([record]), state({ ...everything, deals: [deal("D1")] }));
    expect(plan.partners[0]?.tally.deals).toEqual({ created: 0, updated: 1, unchanged: 0 });
  });

  it("updates a deal held in another currency", () => {
    const plan = planImport(
      crm([dealRecord("D1")]),
      state({ ...everything, deals: [deal("D1", { currency: "EUR" })] }),
    );
    expect(plan.partners[0]?.tally.deals.updated).toBe(1);
  });

  it("treats a reference without an id yet as a change, not as null", () => {
    const wanted = {
      externalRef: "D1",
      productId: "prd_basic",
      customerId: undefined,
      stage: "Won" as const,
      amount: 105_400,
      currency: "USD",
      engageDate: "2016-10-20",
      closeDate: "2017-03-01",
      ownerUserId: "usr_pat",
    };
    expect(dealOutcome(deal("D1", { customerId: null }), wanted)).toBe("updated");
    expect(dealOutcome(undefined, wanted)).toBe("created");
    expect(dealOutcome(deal("D1"), { ...wanted, customerId: "cus_Cancity" })).toBe("unchanged");
  });

  it("keeps an open deal without customer, dates or amount unchanged", () => {
    const open = dealRecord("D2", {
      stage: "Prospecting",
      customerRef: null,
      amount: null,
      engageDate: null,
      closeDate: null,
    });
    const held = deal("D2", {
      stage: "Prospecting",
      customerId: null,
      amount: null,
      engageDate: null,
      closeDate: null,
    });
    const plan = planImport(crm([open]), state({ ...everything, deals: [held] }));
    expect(plan.partners[0]?.tally.deals).toEqual({ created: 0, updated: 0, unchanged: 1 });
  });
});

describe("import summary", () => {
  it("prints a dry run's plan per entity and per partner", () => {
    const plan = planImport(crm([dealRecord("D1")]), state({}));
    const skipped = { partners: 0, users: 0, products: 0, customers: 0, deals: 1 };
    const issues = [{ file: "sales_pipeline.csv", line: 9, message: "negative amount -1" }];
    const summary = plannedSummary({ dir: "/crm", currency: "USD", issues, skipped }, plan);

    const out = render(summary, summaryView(summary), {
      json: false,
      color: new Chalk({ level: 0 }),
    });

    expect(summary.entities.deals).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 1 });
    expect(summary.entities.partners).toEqual({ created: 1, updated: 0, unchanged: 1, skipped: 0 });
    expect(out).toContain("Dry run of /crm: nothing was written.");
    expect(out).toContain("ENTITY     CREATE  UPDATE  UNCHANGED  SKIPPED");
    expect(out).toContain("acme     deals      1       0       0");
    expect(out).toContain(
      "Would skip 1 row with problems:\nsales_pipeline.csv:9: negative amount -1",
    );
  });
});

describe("invitations file", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("is created with mode 0600 and holds the tokens as JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "partneros-inv-"));
    dirs.push(dir);
    const path = join(dir, "invitations.json");
    const record = { email: "a@b.test", partner: "acme", token: "pos_inv_x", expiresAt: AT };

    const sink = invitationsFile(path);
    sink.add(record);
    sink.close();

    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual([record]);
  });

  it("refuses to overwrite an existing file and leaves it as it was", () => {
    const dir = mkdtempSync(join(tmpdir(), "partneros-inv-"));
    dirs.push(dir);
    const path = join(dir, "invitations.json");
    writeFileSync(path, "keep me");

    expect(code(() => invitationsFile(path))).toBe("CONFLICT");
    expect(readFileSync(path, "utf8")).toBe("keep me");
  });
});
