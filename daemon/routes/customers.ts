import { z } from "@hono/zod-openapi";
import {
  CUSTOMER_SORTS,
  createCustomer,
  deleteCustomer,
  getCustomerOrThrow,
  listCustomers,
  updateCustomer,
  upsertCustomers,
} from "../../core/services/customers.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import {
  CursorParam,
  CustomerSchema,
  IdParam,
  json,
  jsonBody,
  Limit,
  OrgQuery,
  UpsertResultSchema,
} from "../schemas.ts";

const CustomerParam = z.object({ customerId: IdParam("customerId", "cus") });
const CustomerFields = z.object({
  externalRef: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  sector: z.string().max(100).nullable().optional(),
  country: z.string().max(100).nullable().optional(),
});
const sorts = CUSTOMER_SORTS.flatMap((s) => [s, `-${s}`]) as [string, ...string[]];

export function customerRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/customers",
      operationId: "listCustomers",
      summary: "Customers of the partner org in scope",
      tags: ["customers"],
      permission: "customers.read",
      request: {
        query: OrgQuery.extend({
          sector: z.string().max(100).optional(),
          country: z.string().max(100).optional(),
          externalRef: z.string().max(200).optional(),
          sort: z.enum(sorts).default("name"),
          limit: Limit,
          cursor: CursorParam,
        }).strict(),
      },
      responses: {
        200: json(
          z.object({ data: z.array(CustomerSchema), nextCursor: z.string().nullable() }),
          "A page of customers",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const { org, ...filter } = c.req.valid("query");
      const scope = await resolvePartnerScope(ctx, org, "listCustomers");
      return c.json(listCustomers(ctx, scope, filter), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/customers",
      operationId: "createCustomer",
      summary: "Create a customer in the partner org in scope",
      tags: ["customers"],
      permission: "customers.write",
      request: { query: OrgQuery.strict(), body: jsonBody(CustomerFields.strict()) },
      responses: { 201: json(CustomerSchema, "Created") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "createCustomer");
      return c.json(await createCustomer(ctx, scope, c.req.valid("json")), 201);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/customers/batch",
      operationId: "upsertCustomers",
      summary: "Create or update up to 1000 customers by external reference, all or nothing",
      tags: ["customers"],
      permission: "customers.write",
      request: {
        query: OrgQuery.strict(),
        body: jsonBody(
          z
            .object({
              items: z.array(CustomerFields.strict()).min(1).max(1000),
              dryRun: z.boolean().default(false),
            })
            .strict(),
        ),
      },
      responses: { 200: json(UpsertResultSchema, "What happened to each item") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "upsertCustomers");
      const { items, dryRun } = c.req.valid("json");
      return c.json(await upsertCustomers(ctx, scope, items, dryRun), 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/customers/{customerId}",
      operationId: "getCustomer",
      summary: "One customer of the partner org in scope",
      tags: ["customers"],
      permission: "customers.read",
      request: { params: CustomerParam, query: OrgQuery.strict() },
      responses: { 200: json(CustomerSchema, "The customer") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getCustomer");
      return c.json(getCustomerOrThrow(ctx, scope, c.req.valid("param").customerId), 200);
    },
  );

  api.route(
    {
      method: "patch",
      path: "/v1/customers/{customerId}",
      operationId: "updateCustomer",
      summary: "Change a customer",
      tags: ["customers"],
      permission: "customers.write",
      request: {
        params: CustomerParam,
        query: OrgQuery.strict(),
        body: jsonBody(CustomerFields.partial().strict()),
      },
      responses: { 200: json(CustomerSchema, "Updated") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "updateCustomer");
      const { customerId } = c.req.valid("param");
      return c.json(await updateCustomer(ctx, scope, customerId, c.req.valid("json")), 200);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/customers/{customerId}",
      operationId: "deleteCustomer",
      summary: "Delete a customer no deal refers to",
      tags: ["customers"],
      permission: "customers.write",
      request: { params: CustomerParam, query: OrgQuery.strict() },
      responses: { 204: { description: "Deleted" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "deleteCustomer");
      await deleteCustomer(ctx, scope, c.req.valid("param").customerId);
      return c.body(null, 204);
    },
  );
}
