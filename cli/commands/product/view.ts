import { formatMoney } from "../../../core/money.ts";
import type { Product } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

const price = (product: Product) =>
  product.listPrice === null ? null : formatMoney(product.listPrice, product.currency);

export function productView(product: Product): View {
  return [
    fields([
      ["id", product.id],
      ["name", product.name],
      ["code", product.code],
      ["series", product.series],
      ["list price", price(product)],
      ["currency", product.currency],
      ["created", product.createdAt],
    ]),
  ];
}

export function productsView(products: readonly Product[]): View {
  const rows = products.map((p) => [p.id, p.name, p.series, price(p), p.currency]);
  return [table(["id", "name", "series", "list price", "currency"], rows)];
}
