// Deterministic deal rows for seeding: the same seed gives the same stages,
// products, dates and amounts on every run, so runs stay comparable.
import { newId } from "../core/ids.ts";
import type { DealStage, DealTable } from "../core/store/schema.ts";

/** The sample CRM catalogue: name, series and list price in whole USD. */
export const CATALOGUE = [
  ["GTX Basic", "GTX", 550],
  ["GTX Pro", "GTX", 4821],
  ["MG Special", "MG", 55],
  ["MG Advanced", "MG", 3393],
  ["GTX Plus Pro", "GTX", 5482],
  ["GTX Plus Basic", "GTX", 1096],
  ["GTK 500", "GTK", 26768],
] as const;

/** Columns of `deals` in insert order, for one prepared statement. */
export const DEAL_COLUMNS = [
  "id",
  "org_id",
  "external_ref",
  "product_id",
  "customer_id",
  "stage",
  "amount",
  "currency",
  "engage_date",
  "close_date",
  "owner_user_id",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof DealTable)[];

const FIRST_DAY = Date.UTC(2016, 9, 1);
const DAYS = 460;
// Formatting a date per row costs more than the insert; every day is formatted once.
const DAY_TEXT = Array.from({ length: DAYS + 130 }, (_, d) =>
  new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10),
);

/** mulberry32: a tiny seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function stageOf(r: number): DealStage {
  // About the mix of the sample pipeline.
  if (r < 0.48) return "Won";
  if (r < 0.75) return "Lost";
  if (r < 0.93) return "Engaging";
  return "Prospecting";
}

export interface DealSource {
  orgId: string;
  /** Product ids in CATALOGUE order. */
  productIds: readonly string[];
  customerIds: readonly string[];
  currency: string;
  random: () => number;
}

/**
 * The `index`-th deal of an org, as positional values in DEAL_COLUMNS order.
 * Open deals carry no customer, close date or amount, as in the sample data.
 */
export function dealValues(source: DealSource, index: number): (string | number | null)[] {
  const { random } = source;
  const stage = stageOf(random());
  const product = Math.floor(random() * source.productIds.length);
  const engage = Math.floor(random() * DAYS);
  const closed = stage === "Won" || stage === "Lost";
  const close = closed ? engage + 1 + Math.floor(random() * 120) : null;
  const listPrice = CATALOGUE[product % CATALOGUE.length]?.[2] ?? 1000;
  const amount =
    stage === "Won" ? Math.round(listPrice * (80 + random() * 30)) : stage === "Lost" ? 0 : null;
  const customer =
    closed && source.customerIds.length > 0
      ? (source.customerIds[Math.floor(random() * source.customerIds.length)] ?? null)
      : null;
  const created = new Date(Date.UTC(2018, 0, 1) + index * 1000).toISOString();
  return [
    newId("deal"),
    source.orgId,
    `OPP-${String(index).padStart(7, "0")}`,
    source.productIds[product] ?? null,
    customer,
    stage,
    amount,
    source.currency,
    DAY_TEXT[engage] ?? null,
    close === null ? null : (DAY_TEXT[close] ?? null),
    null,
    created,
    created,
  ];
}

export const INSERT_DEAL_SQL =
  `insert into deals (${DEAL_COLUMNS.join(", ")}) ` +
  `values (${DEAL_COLUMNS.map(() => "?").join(", ")})`;
