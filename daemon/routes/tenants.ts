import { z } from "@hono/zod-openapi";
import {
  createTenant,
  getTenantOrThrow,
  listTenants,
  setTenantStatus,
} from "../../core/services/tenants.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody, TenantSchema } from "../schemas.ts";

const TenantParam = z.object({ tenant: IdParam("tenant", "org") });

export function tenantRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/tenants",
      operationId: "listTenants",
      summary: "List partner orgs",
      tags: ["tenants"],
      permission: "tenants.read",
      request: { query: z.object({ status: z.enum(["active", "suspended"]).optional() }).strict() },
      responses: { 200: json(z.object({ data: z.array(TenantSchema) }), "Partner orgs") },
    },
    async (c) => {
      const data = await listTenants(serviceContext(c, store), c.req.valid("query"));
      return c.json({ data }, 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/tenants",
      operationId: "createTenant",
      summary: "Provision a partner org",
      tags: ["tenants"],
      permission: "tenants.create",
      request: {
        body: jsonBody(
          z.object({ slug: z.string().min(1).max(63), name: z.string().min(1).max(200) }),
        ),
      },
      responses: {
        201: json(TenantSchema, "Created"),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Slug taken"),
      },
    },
    async (c) => {
      const tenant = await createTenant(serviceContext(c, store), c.req.valid("json"));
      return c.json(tenant, 201);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/tenants/{tenant}",
      operationId: "getTenant",
      summary: "Show a partner org by slug or id",
      tags: ["tenants"],
      permission: "tenants.read",
      request: { params: TenantParam },
      responses: { 200: json(TenantSchema, "The partner org") },
    },
    async (c) => {
      const tenant = await getTenantOrThrow(serviceContext(c, store), c.req.valid("param").tenant);
      return c.json(tenant, 200);
    },
  );

  for (const [action, status] of [
    ["suspend", "suspended"],
    ["resume", "active"],
  ] as const) {
    api.route(
      {
        method: "post",
        path: `/v1/tenants/{tenant}/${action}`,
        operationId: `${action}Tenant`,
        summary:
          action === "suspend"
            ? "Suspend a partner org: its actors are refused, its data stays"
            : "Resume a suspended partner org",
        tags: ["tenants"],
        permission: "tenants.suspend",
        request: { params: TenantParam },
        responses: { 200: json(TenantSchema, "The partner org") },
      },
      async (c) => {
        const ctx = serviceContext(c, store);
        return c.json(await setTenantStatus(ctx, c.req.valid("param").tenant, status), 200);
      },
    );
  }
}
