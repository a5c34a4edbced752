import * as api from "../../api/operations.ts";
import type { ProductInput } from "../../api/types.ts";
import { currency, majorAmount, optionalString, requiredString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { productView } from "./view.ts";

export const productAdd = defineCommand({
  name: "product add",
  summary: "Add a product to the catalogue",
  options: [
    { flags: "--name <name>", description: "product name", required: true },
    { flags: "--currency <code>", description: "ISO 4217 currency, e.g. USD", required: true },
    { flags: "--series <series>", description: "product series or family" },
    { flags: "--price <amount>", description: "list price in major units, e.g. 12.50" },
  ],
  operation: "POST /v1/products",

  parse: (raw): ProductInput => {
    const code = currency(requiredString(raw, "currency"));
    const series = optionalString(raw, "series");
    const price = optionalString(raw, "price");
    return {
      name: requiredString(raw, "name").trim(),
      currency: code,
      ...(series === undefined ? {} : { series }),
      ...(price === undefined ? {} : { listPrice: majorAmount(price, code, "--price") }),
    };
  },

  async run(body, context) {
    const { http } = await context.session();
    return api.createProduct(http, body);
  },

  view: productView,
});
