import { z } from "@hono/zod-openapi";
import { resolveOrgScope } from "../../core/scope.ts";
import { inviteUser, listUsers, removeUser, setUserRole } from "../../core/services/users.ts";
import { auditOperatorAccess } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody, OrgQuery, RoleSchema, UserSchema } from "../schemas.ts";

const UserParam = z.object({ userId: IdParam("userId", "usr") });

export function userRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/users",
      operationId: "listUsers",
      summary: "List the users of the org in scope",
      tags: ["users"],
      permission: "users.read",
      request: { query: OrgQuery.strict() },
      responses: { 200: json(z.object({ data: z.array(UserSchema) }), "Users") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      await auditOperatorAccess(ctx, scope, "listUsers");
      return c.json({ data: await listUsers(ctx, scope) }, 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/users",
      operationId: "inviteUser",
      summary: "Invite a user into the org in scope",
      tags: ["users"],
      permission: "users.invite",
      request: {
        query: OrgQuery.strict(),
        body: jsonBody(
          z.object({
            email: z.email().max(320),
            name: z.string().min(1).max(200),
            role: RoleSchema,
          }),
        ),
      },
      responses: {
        201: json(
          z.object({
            user: UserSchema,
            invitation: z.object({ token: z.string(), expiresAt: z.string() }),
          }),
          "Invited; the invitation token is shown only here",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      return c.json(await inviteUser(ctx, scope, c.req.valid("json")), 201);
    },
  );

  api.route(
    {
      method: "patch",
      path: "/v1/users/{userId}",
      operationId: "setUserRole",
      summary: "Change a user's role",
      tags: ["users"],
      permission: "users.update",
      request: {
        params: UserParam,
        query: OrgQuery.strict(),
        body: jsonBody(z.object({ role: RoleSchema })),
      },
      responses: { 200: json(UserSchema, "Updated user") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      const { userId } = c.req.valid("param");
      return c.json(await setUserRole(ctx, scope, userId, c.req.valid("json").role), 200);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/users/{userId}",
      operationId: "removeUser",
      summary: "Remove a user and revoke its sessions",
      tags: ["users"],
      permission: "users.remove",
      request: { params: UserParam, query: OrgQuery.strict() },
      responses: { 204: { description: "Removed" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolveOrgScope(store.db, ctx.actor, c.req.valid("query").org);
      await removeUser(ctx, scope, c.req.valid("param").userId);
      return c.body(null, 204);
    },
  );
}
