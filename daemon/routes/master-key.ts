import { z } from "@hono/zod-openapi";
import type { Keyring } from "../../core/secrets/keyring.ts";
import { masterKeyStatus } from "../../core/services/master-keys.ts";
import { type Api, serviceContext } from "../api.ts";
import { json } from "../schemas.ts";

const MasterKeyStatusSchema = z
  .object({
    primary: z.number().int(),
    versions: z.array(
      z.object({
        version: z.number().int(),
        primary: z.boolean(),
        encryptions: z.number().int(),
        ciphertexts: z.number().int(),
      }),
    ),
  })
  .openapi("MasterKeyStatus");

export function masterKeyRoutes(api: Api, keyring: Keyring): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/master-key",
      operationId: "getMasterKeyStatus",
      summary: "Master key versions and their encryption counts (operator owner only)",
      description:
        "Lists the versions of the daemon's keyring, which one is primary, and how many " +
        "encryptions each has reserved in the store (an upper bound: a crash can only " +
        "over-count). `ciphertexts` counts the stored secret fields written under each " +
        "version. " +
        "Key material is never returned.",
      tags: ["master-key"],
      permission: "master_key.read",
      responses: { 200: json(MasterKeyStatusSchema, "The keyring's status") },
    },
    async (c) => c.json(await masterKeyStatus(serviceContext(c, store), keyring), 200),
  );
}
