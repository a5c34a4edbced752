import { AppError } from "../../../core/errors.ts";
import { productCode } from "../../../core/services/products.ts";
import * as api from "../../api/operations.ts";
import type { Product } from "../../api/types.ts";
import type { Http } from "../../client.ts";

/**
 * The catalogue product a `--product` value names: its id, or a name matched
 * the way the daemon matches names (`GTXPro` finds `GTX Pro`).
 */
export function findProduct(products: readonly Product[], ref: string): Product | undefined {
  const byId = products.find((product) => product.id === ref);
  if (byId) return byId;
  const code = productCode(ref);
  return code === "" ? undefined : products.find((product) => product.code === code);
}

/** Resolves a `--product` value to a product id through `GET /v1/products`. */
export async function productIdOrThrow(http: Http, ref: string): Promise<string> {
  const { data } = await api.listProducts(http);
  const product = findProduct(data, ref);
  if (!product) throw new AppError("NOT_FOUND", `no catalogue product matches ${ref}`);
  return product.id;
}
