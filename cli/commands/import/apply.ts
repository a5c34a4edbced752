import { AppError } from "../../../core/errors.ts";
import type { Permission } from "../../../core/permissions.ts";
import * as api from "../../api/operations.ts";
import type { DealInput } from "../../api/types.ts";
import type { Http } from "../../client.ts";
import type { Session } from "../../context.ts";
import type { InvitationSink } from "./invitations.ts";
import {
  type DaemonState,
  type DealIds,
  dealInput,
  emptyTally,
  type Outcome,
  type PartnerPlan,
  type Plan,
  partnerHasWrites,
  type Tally,
  tallyOf,
  type WantedDeal,
} from "./plan.ts";

const CUSTOMER_CHUNK = 1000;
const DEAL_CHUNK = 500;

/** What the short-lived key of each partner may do: its customer and deal writes, no more. */
export const IMPORT_KEY_SCOPES: readonly Permission[] = [
  "products.read",
  "users.read",
  "customers.read",
  "customers.write",
  "deals.read",
  "deals.write",
];

export interface ApplyContext {
  session: Session;
  invitations: InvitationSink;
  progress: (line: string) => void;
  now: () => Date;
}

export interface Applied {
  products: Tally;
  partners: PartnerApplied[];
}

export interface PartnerApplied {
  partner: string;
  tenant: Tally;
  users: Tally;
  customers: Tally;
  deals: Tally;
}

/**
 * Carries a plan out: catalogue and tenants and invitations with the
 * operator's session, then each partner's customers and deals through a key
 * pinned to that partner's org, revoked as soon as the partner is done.
 */
export async function applyPlan(
  context: ApplyContext,
  plan: Plan,
  state: DaemonState,
): Promise<Applied> {
  const { http } = context.session;
  const productIds = new Map(state.products.map((product) => [product.code, product.id]));

  for (const record of plan.products.create) {
    context.progress(`adding product ${record.name}`);
    const body = { name: record.name, series: record.series, listPrice: record.listPrice };
    const product = await api.createProduct(http, { ...body, currency: plan.currency });
    productIds.set(product.code, product.id);
  }
  for (const { id, record } of plan.products.update) {
    context.progress(`updating product ${record.name}`);
    await api.updateProduct(http, id, { series: record.series, listPrice: record.listPrice });
  }
  for (const partner of plan.tenants.create) {
    context.progress(`creating partner ${partner.slug}`);
    await api.createTenant(http, { slug: partner.slug, name: partner.name });
  }

  const partners: PartnerApplied[] = [];
  for (const partner of plan.partners) {
    await invite(context, partner);
    const written = partnerHasWrites(partner)
      ? await withImportKey(context, partner.slug, (keyHttp) =>
          writePartnerData(keyHttp, partner, plan.currency, productIds, context.progress),
        )
      : { customers: partner.tally.customers, deals: partner.tally.deals };
    partners.push({
      partner: partner.slug,
      tenant: partner.exists ? { ...emptyTally(), unchanged: 1 } : { ...emptyTally(), created: 1 },
      users: partner.tally.users,
      ...written,
    });
  }

  const products = {
    created: plan.products.create.length,
    updated: plan.products.update.length,
    unchanged: plan.products.unchanged,
  };
  return { products, partners };
}

async function invite(context: ApplyContext, partner: PartnerPlan): Promise<void> {
  if (partner.invite.length > 0) {
    context.progress(`${partner.slug}: inviting ${partner.invite.length} users`);
  }
  for (const user of partner.invite) {
    const { email, name, role } = user;
    const result = await api.inviteUser(context.session.http, partner.slug, { email, name, role });
    context.invitations.add({ email, partner: partner.slug, ...result.invitation });
  }
}

/**
 * Runs `work` with a one-hour machine key of the partner's org and revokes the
 * key afterwards. When `work` fails, that failure is what the caller sees; a
 * key that could not be revoked then still expires within the hour.
 */
async function withImportKey<T>(
  context: ApplyContext,
  org: string,
  work: (http: Http) => Promise<T>,
): Promise<T> {
  const { http } = context.session;
  const created = await api.createKey(http, org, {
    name: `import ${context.now().toISOString()}`,
    role: "partner_member",
    scopes: [...IMPORT_KEY_SCOPES],
    expiresIn: "1h",
  });
  let succeeded = false;
  try {
    const result = await work(context.session.withToken(created.token));
    succeeded = true;
    return result;
  } finally {
    const revoked = api.revokeKey(http, org, created.key.id);
    if (succeeded) await revoked;
    else await revoked.catch(() => undefined);
  }
}

/** The partner's customers, then its deals, in all-or-nothing batches. */
async function writePartnerData(
  http: Http,
  partner: PartnerPlan,
  currency: string,
  productIds: ReadonlyMap<string, string>,
  progress: (line: string) => void,
): Promise<{ customers: Tally; deals: Tally }> {
  progress(`${partner.slug}: ${partner.customers.length} customers`);
  const customerIds = new Map<string, string>();
  const customerOutcomes: Outcome[] = [];
  for (const items of chunks(partner.customers, CUSTOMER_CHUNK)) {
    const { results } = await api.upsertCustomers(http, undefined, { items });
    for (const result of results) {
      if (result.id) customerIds.set(result.externalRef, result.id);
      customerOutcomes.push(result.outcome);
    }
  }

  const users = await api.listUsers(http, undefined);
  const userIds = new Map(users.data.map((user) => [user.email, user.id]));
  const ids: DealIds = { productIds, customerIds, userIds };
  const items = partner.deals.map((deal) => resolvedDeal(dealInput(deal, currency, ids)));

  const dealOutcomes: Outcome[] = [];
  let done = 0;
  for (const chunk of chunks(items, DEAL_CHUNK)) {
    const { results } = await api.upsertDeals(http, undefined, { items: chunk });
    dealOutcomes.push(...results.map((result) => result.outcome));
    done += chunk.length;
    progress(`${partner.slug}: ${done}/${items.length} deals`);
  }
  return { customers: tallyOf(customerOutcomes), deals: tallyOf(dealOutcomes) };
}

/** Every reference has an id by now; one without is a race with another writer, never a guess. */
function resolvedDeal(deal: WantedDeal): DealInput {
  const { productId, customerId, ownerUserId } = deal;
  if (productId === undefined || customerId === undefined || ownerUserId === undefined) {
    const missing =
      productId === undefined ? "product" : customerId === undefined ? "customer" : "owner";
    throw new AppError(
      "CONFLICT",
      `deal ${deal.externalRef}: its ${missing} is not on the daemon; run the import again`,
    );
  }
  return { ...deal, productId, customerId, ownerUserId };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    out.push(items.slice(start, start + size));
  }
  return out;
}
