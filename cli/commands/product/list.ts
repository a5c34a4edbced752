import * as api from "../../api/operations.ts";
import { defineCommand } from "../define.ts";
import { productsView } from "./view.ts";

export const productList = defineCommand({
  name: "product list",
  summary: "List the product catalogue",
  operation: "GET /v1/products",

  parse: () => ({}),

  async run(_input, context) {
    const { http } = await context.session();
    return api.listProducts(http);
  },

  view: (result) => productsView(result.data),
});
