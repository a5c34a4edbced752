import * as api from "../../api/operations.ts";
import { CliError } from "../../errors.ts";
import { argument, orgScope } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { domainView } from "./view.ts";

export const domainVerify = defineCommand({
  name: "domain verify",
  summary: "Look the domain's TXT record up now; fails unless the domain is verified",
  args: ["<domainId>"],
  options: PARTNER_OPTIONS,
  operation: "POST /v1/domains/{domainId}/verify",

  parse: (raw) => ({ domainId: argument(raw, 0, "domainId"), org: orgScope(raw) }),

  async run(input, context) {
    const { http } = await context.session();
    return api.verifyDomain(http, input.org, input.domainId);
  },

  view: domainView,

  failure: (domain) =>
    domain.status === "verified"
      ? undefined
      : new CliError(
          "DOMAIN_NOT_VERIFIED",
          `${domain.hostname} is ${domain.status} (${domain.lastCheckError ?? "not checked"})`,
        ),
});
