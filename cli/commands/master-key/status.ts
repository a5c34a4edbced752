import * as api from "../../api/operations.ts";
import type { MasterKeyStatus } from "../../api/types.ts";
import { table, text, type View } from "../../output/view.ts";
import { defineCommand } from "../define.ts";

/** The versions table and the facts around it, shared with `master-key rotate`. */
export function masterKeyTable(status: MasterKeyStatus): View {
  return [
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
    text(`source: ${status.source.description}${status.source.writable ? "" : " (read-only)"}`),
    ...(status.retired.length ? [text(`retired: ${status.retired.join(", ")}`)] : []),
    text(`pending re-seal: ${status.pending}`),
  ];
}

export const masterKeyStatus = defineCommand({
  name: "master-key status",
  summary: "Show the master key versions, the primary, their encryption counts and the rotation",
  operation: "GET /v1/master-key",

  parse: () => ({}),

  async run(_input, context) {
    const { http } = await context.session();
    return api.masterKeyStatus(http);
  },

  view: (status) => [...masterKeyTable(status), text(`rotation: ${status.rotation.state}`)],
});
