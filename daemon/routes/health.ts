import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { AppError } from "../../core/errors.ts";
import type { Api } from "../api.ts";
import { json } from "../schemas.ts";

export function healthRoutes(api: Api): void {
  api.route(
    {
      method: "get",
      path: "/healthz",
      operationId: "health",
      summary: "Liveness: the process answers",
      tags: ["health"],
      permission: "public",
      responses: { 200: json(z.object({ status: z.literal("ok") }), "Alive") },
    },
    (c) => c.json({ status: "ok" as const }, 200),
  );

  api.route(
    {
      method: "get",
      path: "/readyz",
      operationId: "ready",
      summary: "Readiness: the store answers queries",
      tags: ["health"],
      permission: "public",
      responses: {
        200: json(z.object({ status: z.literal("ready") }), "Ready"),
        503: json(z.object({ error: z.object({ code: z.string() }) }), "Store unavailable"),
      },
    },
    async (c) => {
      try {
        await sql`select 1`.execute(api.deps.store.db);
      } catch (error) {
        throw new AppError("UNAVAILABLE", "store is not answering", { cause: error });
      }
      return c.json({ status: "ready" as const }, 200);
    },
  );
}
