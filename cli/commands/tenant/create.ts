import { assertSlug } from "../../../core/slugs.ts";
import * as api from "../../api/operations.ts";
import { argument, requiredString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { tenantView } from "./view.ts";

export const tenantCreate = defineCommand({
  name: "tenant create",
  summary: "Provision a partner org",
  args: ["<slug>"],
  options: [{ flags: "--name <name>", description: "display name of the org", required: true }],
  operation: "POST /v1/tenants",

  parse: (raw) => ({
    slug: assertSlug(argument(raw, 0, "slug")),
    name: requiredString(raw, "name"),
  }),

  async run(input, context) {
    const { http } = await context.session();
    return api.createTenant(http, input);
  },

  view: tenantView,
});
