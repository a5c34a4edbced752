import * as api from "../../api/operations.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { customerView } from "./view.ts";

export const customerShow = defineCommand({
  name: "customer show",
  summary: "Show one customer of a partner org",
  args: ["<customerId>"],
  options: PARTNER_OPTIONS,
  operation: "GET /v1/customers/{customerId}",

  parse: (raw) => ({ customerId: argument(raw, 0, "customerId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.showCustomer(http, input.org, input.customerId);
  },

  view: customerView,
});
