import type {
  CrmExport,
  DealRecord,
  PartnerRecord,
  ProductRecord,
  UserRecord,
} from "../../../core/import/read-export.ts";
import type {
  Customer,
  CustomerInput,
  Deal,
  DealInput,
  Product,
  Tenant,
  User,
} from "../../api/types.ts";

/** What the daemon holds now, for the partners the export names. */
export interface DaemonState {
  products: readonly Product[];
  tenants: readonly Tenant[];
  /** Keyed by slug; only partners that exist already. */
  partners: ReadonlyMap<string, PartnerState>;
}

export interface PartnerState {
  users: readonly User[];
  customers: readonly Customer[];
  deals: readonly Deal[];
}

/** How many rows would be, or were, created, updated or left as they are. */
export interface Tally {
  created: number;
  updated: number;
  unchanged: number;
}

export type Outcome = keyof Tally;

export interface PartnerPlan {
  slug: string;
  /** Whether the tenant exists already. */
  exists: boolean;
  invite: UserRecord[];
  /** Every customer the partner's deals refer to, in external-reference order. */
  customers: CustomerInput[];
  deals: DealRecord[];
  tally: { users: Tally; customers: Tally; deals: Tally };
}

export interface Plan {
  currency: string;
  products: {
    create: ProductRecord[];
    update: { id: string; record: ProductRecord }[];
    unchanged: number;
  };
  tenants: { create: PartnerRecord[]; unchanged: number };
  partners: PartnerPlan[];
}

export const emptyTally = (): Tally => ({ created: 0, updated: 0, unchanged: 0 });

export function addTally(a: Tally, b: Tally): Tally {
  return {
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}

export function tallyOf(outcomes: Iterable<Outcome>): Tally {
  const tally = emptyTally();
  for (const outcome of outcomes) tally[outcome] += 1;
  return tally;
}

/** Whether a partner's customers or deals need any write at all. */
export function partnerHasWrites(partner: PartnerPlan): boolean {
  const { customers, deals } = partner.tally;
  return customers.created + customers.updated + deals.created + deals.updated > 0;
}

/**
 * Compares an export with the daemon's state, entity by entity, and says what
 * an import would create, update or leave alone. Pure: no calls, no clock.
 */
export function planImport(crm: CrmExport, state: DaemonState): Plan {
  const tenantSlugs = new Set(state.tenants.map((tenant) => tenant.slug));
  const productIds = new Map(state.products.map((product) => [product.code, product.id]));

  return {
    currency: crm.currency,
    products: planProducts(crm.products, state.products, crm.currency),
    tenants: {
      create: crm.partners.filter((partner) => !tenantSlugs.has(partner.slug)),
      unchanged: crm.partners.filter((partner) => tenantSlugs.has(partner.slug)).length,
    },
    partners: crm.partners.map((partner) => {
      const current = tenantSlugs.has(partner.slug)
        ? (state.partners.get(partner.slug) ?? { users: [], customers: [], deals: [] })
        : undefined;
      return planPartner(crm, partner.slug, current, productIds);
    }),
  };
}

function planProducts(
  records: readonly ProductRecord[],
  catalogue: readonly Product[],
  currency: string,
) {
  const byCode = new Map(catalogue.map((product) => [product.code, product]));
  const plan: Plan["products"] = { create: [], update: [], unchanged: 0 };
  for (const record of records) {
    const product = byCode.get(record.code);
    if (!product) plan.create.push(record);
    else if (productDiffers(product, record, currency))
      plan.update.push({ id: product.id, record });
    else plan.unchanged += 1;
  }
  return plan;
}

/**
 * Series and list price are what an import may change. A price in another
 * currency than the catalogue's is not comparable, so it is left alone.
 */
export function productDiffers(product: Product, record: ProductRecord, currency: string) {
  if (product.series !== record.series) return true;
  return product.currency === currency && product.listPrice !== record.listPrice;
}

function planPartner(
  crm: CrmExport,
  slug: string,
  current: PartnerState | undefined,
  productIds: ReadonlyMap<string, string>,
): PartnerPlan {
  const users = crm.users.filter((user) => user.partner === slug);
  const deals = crm.deals.filter((deal) => deal.partner === slug);
  const customers = customersOf(crm, deals);
  const state = current ?? { users: [], customers: [], deals: [] };

  const userIds = new Map(state.users.map((user) => [user.email, user.id]));
  const invite = users.filter((user) => !userIds.has(user.email));
  const existingCustomers = new Map(state.customers.map((c) => [c.externalRef, c]));
  const customerIds = new Map(state.customers.map((c) => [c.externalRef, c.id]));
  const existingDeals = new Map(state.deals.map((deal) => [deal.externalRef, deal]));
  const ids = { productIds, customerIds, userIds };

  return {
    slug,
    exists: current !== undefined,
    invite,
    customers,
    deals,
    tally: {
      users: { created: invite.length, updated: 0, unchanged: users.length - invite.length },
      customers: tallyOf(
        customers.map((c) => customerOutcome(existingCustomers.get(c.externalRef), c)),
      ),
      deals: tallyOf(
        deals.map((deal) =>
          dealOutcome(existingDeals.get(deal.externalRef), dealInput(deal, crm.currency, ids)),
        ),
      ),
    },
  };
}

/** The customers a partner's deals refer to: its share of the accounts file. */
export function customersOf(crm: CrmExport, deals: readonly DealRecord[]): CustomerInput[] {
  const refs = [...new Set(deals.flatMap((deal) => (deal.customerRef ? [deal.customerRef] : [])))];
  return refs.sort().flatMap((ref) => {
    const record = crm.customers.get(ref);
    return record
      ? [{ externalRef: ref, name: record.name, sector: record.sector, country: record.country }]
      : [];
  });
}

export function customerOutcome(current: Customer | undefined, wanted: CustomerInput): Outcome {
  if (!current) return "created";
  const same =
    current.name === wanted.name &&
    current.sector === (wanted.sector ?? null) &&
    current.country === (wanted.country ?? null);
  return same ? "unchanged" : "updated";
}

/** The ids a deal's references resolve to; a name not found yet resolves to nothing. */
export interface DealIds {
  productIds: ReadonlyMap<string, string>;
  customerIds: ReadonlyMap<string, string>;
  userIds: ReadonlyMap<string, string>;
}

/** A deal as the daemon wants it, with `undefined` for a reference that has no id yet. */
export type WantedDeal = Omit<Required<DealInput>, "productId" | "customerId" | "ownerUserId"> & {
  productId: string | undefined;
  customerId: string | null | undefined;
  ownerUserId: string | undefined;
};

export function dealInput(deal: DealRecord, currency: string, ids: DealIds): WantedDeal {
  return {
    externalRef: deal.externalRef,
    productId: ids.productIds.get(deal.productCode),
    customerId: deal.customerRef === null ? null : ids.customerIds.get(deal.customerRef),
    stage: deal.stage,
    amount: deal.amount,
    currency,
    engageDate: deal.engageDate,
    closeDate: deal.closeDate,
    ownerUserId: ids.userIds.get(deal.ownerEmail),
  };
}

const DEAL_FIELDS = [
  "productId",
  "customerId",
  "stage",
  "amount",
  "currency",
  "engageDate",
  "closeDate",
  "ownerUserId",
] as const;

/** Field by field; a reference without an id yet always counts as a change. */
export function dealOutcome(current: Deal | undefined, wanted: WantedDeal): Outcome {
  if (!current) return "created";
  const same = DEAL_FIELDS.every((field) => current[field] === wanted[field]);
  return same ? "unchanged" : "updated";
}
