import { z } from "@hono/zod-openapi";
import { portalBrandingOrThrow } from "../../core/services/branding.ts";
import type { Api } from "../api.ts";
import { json } from "../schemas.ts";

const PortalBrandingSchema = z
  .object({
    hostname: z.string(),
    displayName: z.string(),
    logoUrl: z.string().nullable(),
    primaryColor: z.string().nullable(),
    accentColor: z.string().nullable(),
  })
  .openapi("PortalBranding");

const NotFound = json(
  z.object({
    error: z.object({ code: z.literal("NOT_FOUND"), message: z.string(), requestId: z.string() }),
  }),
  "The Host is not a verified domain of an active partner (NOT_FOUND), whatever else it is",
);

export function portalRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/portal/branding",
      operationId: "getPortalBranding",
      summary: "The public branding of the partner whose verified domain is the Host",
      description:
        "Resolved from the Host header alone (never X-Forwarded-Host): a verified domain " +
        "answers its partner's branding; every other host the same 404.",
      tags: ["portal"],
      permission: "public",
      responses: { 200: json(PortalBrandingSchema, "The partner's branding"), 404: NotFound },
    },
    (c) => {
      // Node's raw headers, as the guard reads them; a fetch-only runtime has the Headers.
      const host = c.env?.incoming?.headers.host ?? c.req.header("host");
      return c.json(portalBrandingOrThrow(store, host), 200);
    },
  );
}
