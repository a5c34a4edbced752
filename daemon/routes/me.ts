import { z } from "@hono/zod-openapi";
import type { Actor } from "../../core/actor.ts";
import { PERMISSIONS, type Permission } from "../../core/permissions.ts";
import type { Api } from "../api.ts";
import { ActorSchema, json, PermissionSchema } from "../schemas.ts";

/** The actor as the API shows it, without the permission set. */
export function actorView(actor: Actor): Omit<Actor, "permissions"> {
  const { permissions: _, ...view } = actor;
  return view;
}

const lists = new WeakMap<ReadonlySet<Permission>, Permission[]>();

/** The actor's permissions in catalog order; sets are shared, so the list is built once each. */
function permissionList(actor: Actor): Permission[] {
  let list = lists.get(actor.permissions);
  if (!list) {
    list = PERMISSIONS.filter((p) => actor.permissions.has(p));
    lists.set(actor.permissions, list);
  }
  return list;
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
      return c.json({ actor: actorView(actor), permissions: permissionList(actor) }, 200);
    },
  );
}
