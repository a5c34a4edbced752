import type { Customer } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

export function customerView(customer: Customer): View {
  return [
    fields([
      ["id", customer.id],
      ["org", customer.orgId],
      ["external ref", customer.externalRef],
      ["name", customer.name],
      ["sector", customer.sector],
      ["country", customer.country],
      ["created", customer.createdAt],
      ["updated", customer.updatedAt],
    ]),
  ];
}

export function customersView(customers: readonly Customer[]): View {
  const rows = customers.map((c) => [c.id, c.externalRef, c.name, c.sector, c.country]);
  return [table(["id", "external ref", "name", "sector", "country"], rows)];
}
