import { formatMoney } from "../../../core/money.ts";
import type { Deal } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

/** A deal's amount for people, `$1,054.00`; a deal without one shows as absent. */
export const dealAmount = (deal: Pick<Deal, "amount" | "currency">) =>
  deal.amount === null ? null : formatMoney(deal.amount, deal.currency);

export function dealView(deal: Deal): View {
  return [
    fields([
      ["id", deal.id],
      ["org", deal.orgId],
      ["external ref", deal.externalRef],
      ["stage", deal.stage],
      ["amount", dealAmount(deal)],
      ["currency", deal.currency],
      ["product", deal.productId],
      ["customer", deal.customerId],
      ["owner", deal.ownerUserId],
      ["engaged", deal.engageDate],
      ["closed", deal.closeDate],
      ["created", deal.createdAt],
      ["updated", deal.updatedAt],
    ]),
  ];
}

export function dealsView(deals: readonly Deal[]): View {
  const rows = deals.map((d) => [
    d.id,
    d.externalRef,
    d.stage,
    dealAmount(d),
    d.productId,
    d.customerId,
    d.engageDate,
    d.closeDate,
  ]);
  const columns = ["id", "ref", "stage", "amount", "product", "customer", "engaged", "closed"];
  return [table(columns, rows)];
}
