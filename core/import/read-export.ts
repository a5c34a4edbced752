import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { AppError } from "../errors.ts";
import { toMinorUnits } from "../money.ts";
import { isCalendarDate } from "../services/deal-rules.ts";
import { productCode } from "../services/products.ts";
import { assertSlug, normalizeEmail } from "../slugs.ts";
import { DEAL_STAGES, type DealStage } from "../store/schema.ts";
import type { Entity, Layout } from "./mapping.ts";

/** A row that cannot be imported, named by file and line. */
export interface ImportIssue {
  file: string;
  line: number;
  message: string;
}

export interface PartnerRecord {
  slug: string;
  name: string;
  adminName: string;
  adminEmail: string;
}
export interface UserRecord {
  partner: string;
  name: string;
  email: string;
  role: "partner_admin" | "partner_member";
}
export interface ProductRecord {
  name: string;
  code: string;
  series: string | null;
  listPrice: number | null;
}
export interface CustomerRecord {
  externalRef: string;
  name: string;
  sector: string | null;
  country: string | null;
}
export interface DealRecord {
  line: number;
  partner: string;
  externalRef: string;
  productCode: string;
  customerRef: string | null;
  stage: DealStage;
  amount: number | null;
  engageDate: string | null;
  closeDate: string | null;
  ownerEmail: string;
}

export interface CrmExport {
  currency: string;
  partners: PartnerRecord[];
  users: UserRecord[];
  products: ProductRecord[];
  customers: Map<string, CustomerRecord>;
  deals: DealRecord[];
  issues: ImportIssue[];
}

type Row = { line: number; get: (field: string) => string };

function readRows(dir: string, layout: Layout, entity: Entity): { file: string; rows: Row[] } {
  const { file, columns } = layout[entity] as { file: string; columns: Record<string, string> };
  const path = join(dir, file);
  if (!existsSync(path))
    throw new AppError("VALIDATION_FAILED", `${file}: file not found in ${dir}`);
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(readFileSync(path, "utf8"), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable";
    throw new AppError("VALIDATION_FAILED", `${file}: not valid CSV (${reason})`);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = Object.values(columns).filter((c) => records.length > 0 && !header.includes(c));
  if (missing.length > 0) {
    throw new AppError("VALIDATION_FAILED", `${file}: missing column ${missing.join(", ")}`);
  }
  return {
    file,
    rows: records.map(({ record, info }) => ({
      line: info.lines,
      get: (field: string) => record[columns[field] ?? ""] ?? "",
    })),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads a CRM export laid out like `shared/data/crm` and checks every row
 * against the others. Rows that cannot be imported are returned as issues
 * and left out, together with every row that depends on them.
 */
export function readCrmExport(dir: string, layout: Layout, currency: string): CrmExport {
  const issues: ImportIssue[] = [];

  const partnerRows = readRows(dir, layout, "partners");
  const partners: PartnerRecord[] = [];
  for (const row of partnerRows.rows) {
    const issue = (message: string) =>
      issues.push({ file: partnerRows.file, line: row.line, message });
    const slug = row.get("slug");
    const email = normalizeEmail(row.get("adminEmail"));
    try {
      assertSlug(slug);
    } catch {
      issue(`partner slug "${slug}" is not a valid slug`);
      continue;
    }
    if (!row.get("name")) issue("missing field name");
    else if (!EMAIL.test(email)) issue(`admin email "${row.get("adminEmail")}" is not valid`);
    else if (partners.some((p) => p.slug === slug)) issue(`partner ${slug} appears twice`);
    else
      partners.push({
        slug,
        name: row.get("name"),
        adminName: row.get("adminName"),
        adminEmail: email,
      });
  }
  const partnerSlugs = new Set(partners.map((p) => p.slug));

  const users: UserRecord[] = partners.map((p) => ({
    partner: p.slug,
    name: p.adminName || p.adminEmail,
    email: p.adminEmail,
    role: "partner_admin" as const,
  }));
  const agentByName = new Map<string, UserRecord>();
  const userRows = readRows(dir, layout, "users");
  for (const row of userRows.rows) {
    const issue = (message: string) =>
      issues.push({ file: userRows.file, line: row.line, message });
    const email = normalizeEmail(row.get("email"));
    const partner = row.get("partner");
    if (!row.get("name")) issue("missing field name");
    else if (!EMAIL.test(email)) issue(`email "${row.get("email")}" is not valid`);
    else if (!partnerSlugs.has(partner)) issue(`unknown partner "${partner}"`);
    else if (agentByName.has(row.get("name"))) issue(`agent ${row.get("name")} appears twice`);
    else {
      const user = { partner, name: row.get("name"), email, role: "partner_member" as const };
      agentByName.set(user.name, user);
      if (!users.some((u) => u.partner === partner && u.email === email)) users.push(user);
    }
  }

  const productRows = readRows(dir, layout, "products");
  const products: ProductRecord[] = [];
  for (const row of productRows.rows) {
    const issue = (message: string) =>
      issues.push({ file: productRows.file, line: row.line, message });
    const code = productCode(row.get("name"));
    const priceText = row.get("price");
    const listPrice = priceText === "" ? null : toMinorUnits(priceText, currency);
    if (code === "") issue("missing field product");
    else if (listPrice === undefined) issue(`price "${priceText}" is not a non-negative amount`);
    else if (products.some((p) => p.code === code))
      issue(`product ${row.get("name")} appears twice`);
    else
      products.push({ name: row.get("name"), code, series: row.get("series") || null, listPrice });
  }
  const productCodes = new Set(products.map((p) => p.code));

  const customerRows = readRows(dir, layout, "customers");
  const customers = new Map<string, CustomerRecord>();
  for (const row of customerRows.rows) {
    const issue = (message: string) =>
      issues.push({ file: customerRows.file, line: row.line, message });
    const name = row.get("name");
    if (!name) issue("missing field account");
    else if (customers.has(name)) issue(`account ${name} appears twice`);
    else
      customers.set(name, {
        externalRef: name,
        name,
        sector: row.get("sector") || null,
        country: row.get("country") || null,
      });
  }

  const dealRows = readRows(dir, layout, "deals");
  const deals: DealRecord[] = [];
  const seenRefs = new Set<string>();
  for (const row of dealRows.rows) {
    const problem = checkDeal(row, { agentByName, productCodes, customers, seenRefs }, currency);
    if (typeof problem === "string")
      issues.push({ file: dealRows.file, line: row.line, message: problem });
    else {
      seenRefs.add(problem.externalRef);
      deals.push(problem);
    }
  }
  return { currency, partners, users, products, customers, deals, issues };
}

function checkDeal(
  row: Row,
  known: {
    agentByName: Map<string, UserRecord>;
    productCodes: Set<string>;
    customers: Map<string, CustomerRecord>;
    seenRefs: Set<string>;
  },
  currency: string,
): DealRecord | string {
  const externalRef = row.get("externalRef");
  if (!externalRef) return "missing field opportunity id";
  if (known.seenRefs.has(externalRef)) return `deal ${externalRef} appears twice`;
  const agent = known.agentByName.get(row.get("agent"));
  if (!agent) return `unknown sales agent "${row.get("agent")}"`;
  const code = productCode(row.get("product"));
  if (!known.productCodes.has(code)) return `unknown product "${row.get("product")}"`;
  const stage = row.get("stage") as DealStage;
  if (!DEAL_STAGES.includes(stage)) return `unknown stage "${row.get("stage")}"`;
  const customerRef = row.get("customer") || null;
  if (customerRef !== null && !known.customers.has(customerRef)) {
    return `unknown account "${customerRef}"`;
  }
  const dates: Record<"engageDate" | "closeDate", string | null> = {
    engageDate: null,
    closeDate: null,
  };
  for (const field of ["engageDate", "closeDate"] as const) {
    const text = row.get(field);
    if (text !== "" && !isCalendarDate(text)) return `bad date "${text}" in ${field}`;
    dates[field] = text || null;
  }
  const amountText = row.get("amount");
  if (amountText.startsWith("-")) return `negative amount ${amountText}`;
  const amount = amountText === "" ? null : toMinorUnits(amountText, currency);
  if (amount === undefined) return `amount "${amountText}" is not a number`;
  if ((stage === "Won" || stage === "Lost") && dates.closeDate === null) {
    return `missing field close date for a ${stage} deal`;
  }
  if (stage === "Won" && amount === null) return "missing field value for a Won deal";
  if (dates.engageDate && dates.closeDate && dates.closeDate < dates.engageDate) {
    return "close date is before engage date";
  }
  return {
    line: row.line,
    partner: agent.partner,
    externalRef,
    productCode: code,
    customerRef,
    stage,
    amount,
    engageDate: dates.engageDate,
    closeDate: dates.closeDate,
    ownerEmail: agent.email,
  };
}
