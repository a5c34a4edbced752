import { z } from "@hono/zod-openapi";
import type { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import type { KeyRotation } from "../../core/services/key-rotation.ts";
import { masterKeyStatus, retireMasterKey } from "../../core/services/master-keys.ts";
import { type Api, serviceContext } from "../api.ts";
import { json } from "../schemas.ts";

const RotationSchema = z
  .object({
    state: z.enum(["idle", "running", "done", "stopped", "failed"]),
    toVersion: z.number().int().nullable(),
    resumed: z.boolean(),
    resealed: z.number().int(),
    failed: z.array(z.string()).openapi({
      description: "Credentials whose stored secrets failed their integrity check",
    }),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi("MasterKeyRotation");

const MasterKeyStatusSchema = z
  .object({
    primary: z.number().int(),
    source: z.object({ description: z.string(), writable: z.boolean() }),
    versions: z.array(
      z.object({
        version: z.number().int(),
        primary: z.boolean(),
        encryptions: z.number().int(),
        ciphertexts: z.number().int(),
      }),
    ),
    retired: z.array(z.number().int()),
    pending: z.number().int(),
    rotation: RotationSchema,
  })
  .openapi("MasterKeyStatus");

const VersionParam = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(999_999_999)
    .openapi({ param: { name: "version", in: "path" }, example: 1 }),
});

export function masterKeyRoutes(api: Api, keys: LiveKeyring, rotation: KeyRotation): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/master-key",
      operationId: "getMasterKeyStatus",
      summary: "Master key versions, their encryption counts and the rotation (owner only)",
      description:
        "Lists the versions of the daemon's keyring, which one is primary, and how many " +
        "encryptions each has reserved in the store (an upper bound: a crash can only " +
        "over-count). `ciphertexts` counts the stored secret fields sealed under each " +
        "version, `pending` those a rotation still has to re-seal. " +
        "Key material is never returned.",
      tags: ["master-key"],
      permission: "master_key.read",
      responses: { 200: json(MasterKeyStatusSchema, "The keyring's status") },
    },
    async (c) => c.json(await masterKeyStatus(serviceContext(c, store), keys, rotation), 200),
  );

  api.route(
    {
      method: "post",
      path: "/v1/master-key/rotate",
      operationId: "rotateMasterKey",
      summary: "Make a new primary master key and re-seal every stored secret under it",
      description:
        "Answers at once and re-seals in the background, in batches, while the daemon " +
        "serves. When ciphertexts under an older version remain — an earlier rotation was " +
        "stopped or killed — it finishes those under the current primary instead of making " +
        "another version. With a key file the daemon writes the new version itself; with " +
        "PARTNEROS_MASTER_KEYS or a key command the new version must be added there first.",
      tags: ["master-key"],
      permission: "master_key.rotate",
      responses: { 202: json(RotationSchema, "The rotation, started or already running") },
    },
    async (c) => c.json(await rotation.start(serviceContext(c, store)), 202),
  );

  api.route(
    {
      method: "post",
      path: "/v1/master-key/versions/{version}/retire",
      operationId: "retireMasterKey",
      summary: "Retire a master key version that no stored ciphertext uses any more",
      description:
        "Refuses the primary, a version any ciphertext still uses (409), and any version " +
        "while a rotation runs. A retired version no longer decrypts; with a key file it is " +
        "removed from the file.",
      tags: ["master-key"],
      permission: "master_key.rotate",
      request: { params: VersionParam },
      responses: {
        200: json(
          z.object({ version: z.number().int(), removedFromSource: z.boolean() }),
          "Retired",
        ),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Still in use"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      return c.json(await retireMasterKey(ctx, keys, rotation, c.req.valid("param").version), 200);
    },
  );
}
