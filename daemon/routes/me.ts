import { z } from "@hono/zod-openapi";
import type { Actor } from "../../core/actor.ts";
import { PERMISSIONS } from "../../core/permissions.ts";
import type { Api } from "../api.ts";
import { ActorSchema, json, PermissionSchema } from "../schemas.ts";

/** The actor as the API shows it, without the permission set. */
export function actorView(actor: Actor): Omit<Actor, "permissions"> {
  const { permissions: _, ...view } = actor;
  return view;
}

export function meRoutes(api: Api): void {
  api.route(
    {
      method: "get",
      path: "/v1/me",
      operationId: "getMe",
      summary: "The calling actor and its effective permissions",
      tags: ["auth"],
      permission: "me.read",
      responses: {
        200: json(
          z.object({ actor: ActorSchema, permissions: z.array(PermissionSchema) }).openapi("Me"),
          "The caller",
        ),
      },
    },
    (c) => {
      const actor = c.get("actor");
      const permissions = PERMISSIONS.filter((p) => actor.permissions.has(p));
      return c.json({ actor: actorView(actor), permissions }, 200);
    },
  );
}
