import { CUSTOMER_SORTS } from "../../../core/services/customers.ts";
import * as api from "../../api/operations.ts";
import { text, type View } from "../../output/view.ts";
import { optionalString, orgScope, pageLimit, sortKey } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PAGE_OPTIONS, PARTNER_OPTIONS } from "../options.ts";
import { customersView } from "./view.ts";

export const customerList = defineCommand({
  name: "customer list",
  summary: "List the customers of a partner org",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--sector <sector>", description: "only customers in this sector" },
    { flags: "--country <country>", description: "only customers in this country" },
    { flags: "--sort <field>", description: `${CUSTOMER_SORTS.join(", ")}; prefix - to reverse` },
    ...PAGE_OPTIONS,
  ],
  operation: "GET /v1/customers",

  parse: (raw) => {
    const sort = optionalString(raw, "sort");
    const limit = optionalString(raw, "limit");
    return {
      org: orgScope(raw),
      query: {
        sector: optionalString(raw, "sector"),
        country: optionalString(raw, "country"),
        sort: sort === undefined ? undefined : sortKey(sort, CUSTOMER_SORTS),
        limit: limit === undefined ? undefined : pageLimit(limit),
        cursor: optionalString(raw, "cursor"),
      },
    };
  },

  async run(input, context) {
    const { http } = await context.session();
    return api.listCustomers(http, input.org, input.query);
  },

  view: (page) => {
    const view: View = customersView(page.data);
    return page.nextCursor ? [...view, text(`More customers: --cursor ${page.nextCursor}`)] : view;
  },
});
