import * as api from "../../api/operations.ts";
import { table, text } from "../../output/view.ts";
import { defineCommand } from "../define.ts";

export const masterKeyStatus = defineCommand({
  name: "master-key status",
  summary: "Show the master key versions, the primary, and their encryption counts",
  endpoint: api.ENDPOINTS.masterKeyStatus,
  permission: "master_key.read",

  parse: () => ({}),

  async run(_input, context) {
    const { http } = await context.session();
    return api.masterKeyStatus(http);
  },

  view: (status) => [
    table(
      ["version", "primary", "encryptions", "ciphertexts"],
      status.versions.map((v) => [
        v.version,
        v.primary ? "yes" : "no",
        v.encryptions,
        v.ciphertexts,
      ]),
    ),
    text(`primary: version ${status.primary}`),
  ],
});
