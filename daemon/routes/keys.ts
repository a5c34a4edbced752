import { z } from "@hono/zod-openapi";
import { resolveOrgScope } from "../../core/scope.ts";
import { createKey, listKeys, revokeKey, rotateKey } from "../../core/services/keys.ts";
import { auditOperatorAccess } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import {
  IdParam,
  json,
  jsonBody,
  KeySchema,
  OrgQuery,
  PermissionSchema,
  RoleSchema,
} from "../schemas.ts";

const KeyParam = z.object({ keyId: IdParam("keyId", "key") });
const Duration = z
  .string()
  .regex(/^\d+(s|m|h|d)$/)
  .openapi({ example: "30d" });

export function keyRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/keys",
      operationId: "listKeys",
      summary: "List machine keys of the org in scope (never their tokens)",
      tags: ["keys"],
      permission: "keys.read",
      request: { query: OrgQuery.strict() },
      responses: { 200: json(z.object({ data: z.array(KeySchema) }), "Keys") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      await auditOperatorAccess(ctx, scope, "listKeys");
      return c.json({ data: await listKeys(ctx, scope) }, 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/keys",
      operationId: "createKey",
      summary: "Create a machine key pinned to the org in scope",
      tags: ["keys"],
      permission: "keys.create",
      request: {
        query: OrgQuery.strict(),
        body: jsonBody(
          z.object({
            name: z.string().min(1).max(200),
            role: RoleSchema.optional(),
            scopes: z.array(PermissionSchema).max(64).optional(),
            expiresIn: Duration.optional(),
          }),
        ),
      },
      responses: {
        201: json(
          z.object({ key: KeySchema, token: z.string() }),
          "Created; the token is shown only here",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      return c.json(await createKey(ctx, scope, c.req.valid("json")), 201);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/keys/{keyId}/revoke",
      operationId: "revokeKey",
      summary: "Revoke a machine key at once",
      tags: ["keys"],
      permission: "keys.revoke",
      request: { params: KeyParam, query: OrgQuery.strict() },
      responses: { 200: json(KeySchema, "Revoked key") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      return c.json(await revokeKey(ctx, scope, c.req.valid("param").keyId), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/keys/{keyId}/rotate",
      operationId: "rotateKey",
      summary: "Issue a successor key; the old one lasts for the grace period",
      tags: ["keys"],
      permission: "keys.rotate",
      request: {
        params: KeyParam,
        query: OrgQuery.strict(),
        body: jsonBody(
          z.object({
            gracePeriod: Duration.optional(),
            scopes: z.array(PermissionSchema).max(64).optional(),
          }),
        ),
      },
      responses: {
        201: json(
          z.object({ key: KeySchema, token: z.string(), previous: KeySchema }),
          "Successor created; its token is shown only here",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      const { keyId } = c.req.valid("param");
      return c.json(await rotateKey(ctx, scope, keyId, c.req.valid("json")), 201);
    },
  );
}
