import { z } from "@hono/zod-openapi";
import type { LoginPolicy } from "../../core/services/sessions.ts";
import { login, logout } from "../../core/services/sessions.ts";
import { acceptInvitation } from "../../core/services/users.ts";
import { type Api, serviceContext } from "../api.ts";
import { ActorSchema, json, jsonBody } from "../schemas.ts";
import { actorView } from "./me.ts";

const LoginBody = z
  .object({
    email: z.string().min(3).max(320),
    password: z.string().min(1).max(1024),
    org: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "Only when the email is in several orgs" }),
  })
  .openapi("LoginRequest");

export function authRoutes(api: Api, policy: LoginPolicy): void {
  const { store, authenticator } = api.deps;

  api.route(
    {
      method: "post",
      path: "/v1/auth/login",
      operationId: "login",
      summary: "Trade an email and password for a session token",
      tags: ["auth"],
      permission: "public",
      request: { body: jsonBody(LoginBody) },
      responses: {
        200: json(
          z.object({ token: z.string(), expiresAt: z.string(), actor: ActorSchema }),
          "Session created; the token is shown only here",
        ),
        401: json(z.object({ error: z.object({ code: z.string() }) }), "INVALID_CREDENTIALS"),
        429: json(z.object({ error: z.object({ code: z.string() }) }), "RATE_LIMITED"),
      },
    },
    async (c) => {
      const body = c.req.valid("json");
      const request = { requestId: c.get("requestId"), clientAddr: c.get("clientAddr") };
      const session = await login(store, policy, request, body);
      const actor = authenticator.authenticate(session.token);
      return c.json(
        {
          token: session.token,
          expiresAt: session.expiresAt,
          actor: actorView(actor),
        },
        200,
      );
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/auth/logout",
      operationId: "logout",
      summary: "Revoke the calling session",
      tags: ["auth"],
      permission: "me.read",
      responses: { 204: { description: "Session revoked" } },
    },
    async (c) => {
      await logout(serviceContext(c, store));
      return c.body(null, 204);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/invitations/accept",
      operationId: "acceptInvitation",
      summary: "Redeem an invitation token and set a password",
      tags: ["auth"],
      permission: "public",
      request: {
        body: jsonBody(
          z.object({ token: z.string().min(1).max(200), password: z.string().min(12).max(1024) }),
        ),
      },
      responses: {
        200: json(
          z.object({ userId: z.string(), orgId: z.string(), email: z.string() }),
          "User activated",
        ),
        401: json(z.object({ error: z.object({ code: z.string() }) }), "INVALID_CREDENTIALS"),
      },
    },
    async (c) => {
      const request = { requestId: c.get("requestId"), clientAddr: c.get("clientAddr") };
      const user = await acceptInvitation(store, request, c.req.valid("json"));
      return c.json({ userId: user.id, orgId: user.orgId, email: user.email }, 200);
    },
  );
}
