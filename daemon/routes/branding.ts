import { z } from "@hono/zod-openapi";
import { DISPLAY_NAME_MAX, getBranding, putBranding } from "../../core/services/branding.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import { json, jsonBody, OrgQuery } from "../schemas.ts";

const Color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be #rrggbb")
  .nullable()
  .optional();

const PutBrandingBody = z
  .object({
    displayName: z.string().trim().min(1).max(DISPLAY_NAME_MAX),
    logoUrl: z
      .string()
      .max(2048)
      .refine((value) => value.startsWith("https://"), "must be an https URL")
      .nullable()
      .optional(),
    primaryColor: Color,
    accentColor: Color,
  })
  .strict()
  .openapi("PutBranding", { description: "The whole branding; an omitted field becomes null" });

const BrandingSchema = z
  .object({
    orgId: z.string(),
    displayName: z.string(),
    logoUrl: z.string().nullable(),
    primaryColor: z.string().nullable(),
    accentColor: z.string().nullable(),
    updatedAt: z.string().nullable().openapi({
      description: "Null while the org has set none: its name shows, without logo or colours",
    }),
  })
  .openapi("Branding");

export function brandingRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/branding",
      operationId: "getBranding",
      summary: "The public branding of the partner org in scope",
      tags: ["branding"],
      permission: "domains.read",
      request: { query: OrgQuery.strict() },
      responses: { 200: json(BrandingSchema, "The org's branding") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getBranding");
      return c.json(await getBranding(ctx, scope), 200);
    },
  );

  api.route(
    {
      method: "put",
      path: "/v1/branding",
      operationId: "putBranding",
      summary: "Replace the public branding of the partner org in scope",
      description: "Shown to anyone on the org's verified domains (GET /portal/branding).",
      tags: ["branding"],
      permission: "branding.write",
      request: { query: OrgQuery.strict(), body: jsonBody(PutBrandingBody) },
      responses: { 200: json(BrandingSchema, "The branding as stored") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "putBranding");
      return c.json(await putBranding(ctx, scope, c.req.valid("json")), 200);
    },
  );
}
