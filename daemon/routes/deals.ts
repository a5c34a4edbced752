import { z } from "@hono/zod-openapi";
import {
  createDeal,
  DEAL_SORTS,
  deleteDeal,
  getDealOrThrow,
  listDeals,
  updateDeal,
  upsertDeals,
} from "../../core/services/deals.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import {
  CursorParam,
  DateSchema,
  DealSchema,
  IdParam,
  json,
  jsonBody,
  Limit,
  OrgQuery,
  StageSchema,
  UpsertResultSchema,
} from "../schemas.ts";

const DealParam = z.object({ dealId: IdParam("dealId", "deal") });
const Ref = z.string().min(1).max(64);
const DealFields = z.object({
  externalRef: z.string().min(1).max(200),
  productId: Ref,
  customerId: Ref.nullable().optional(),
  stage: StageSchema,
  amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  currency: z.string().length(3),
  engageDate: DateSchema.nullable().optional(),
  closeDate: DateSchema.nullable().optional(),
  ownerUserId: Ref.nullable().optional(),
});
const sorts = DEAL_SORTS.flatMap((s) => [s, `-${s}`]) as [string, ...string[]];

export function dealRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/deals",
      operationId: "listDeals",
      summary: "Deals of the partner org in scope, filtered, sorted and paged",
      tags: ["deals"],
      permission: "deals.read",
      request: {
        query: OrgQuery.extend({
          stage: StageSchema.optional(),
          productId: Ref.optional(),
          customerId: Ref.optional(),
          ownerUserId: Ref.optional(),
          engagedFrom: DateSchema.optional(),
          engagedTo: DateSchema.optional(),
          closedFrom: DateSchema.optional(),
          closedTo: DateSchema.optional(),
          sort: z.enum(sorts).default("createdAt"),
          limit: Limit,
          cursor: CursorParam,
        }).strict(),
      },
      responses: {
        200: json(
          z.object({ data: z.array(DealSchema), nextCursor: z.string().nullable() }),
          "A page of deals",
        ),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const { org, ...filter } = c.req.valid("query");
      const scope = await resolvePartnerScope(ctx, org, "listDeals");
      return c.json(listDeals(ctx, scope, filter), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/deals",
      operationId: "createDeal",
      summary: "Register a deal in the partner org in scope",
      tags: ["deals"],
      permission: "deals.write",
      request: { query: OrgQuery.strict(), body: jsonBody(DealFields.strict()) },
      responses: { 201: json(DealSchema, "Created") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "createDeal");
      return c.json(await createDeal(ctx, scope, c.req.valid("json")), 201);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/deals/batch",
      operationId: "upsertDeals",
      summary: "Create or update up to 1000 deals by external reference, all or nothing",
      tags: ["deals"],
      permission: "deals.write",
      request: {
        query: OrgQuery.strict(),
        body: jsonBody(
          z
            .object({
              items: z.array(DealFields.strict()).min(1).max(1000),
              dryRun: z.boolean().default(false),
            })
            .strict(),
        ),
      },
      responses: { 200: json(UpsertResultSchema, "What happened to each item") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "upsertDeals");
      const { items, dryRun } = c.req.valid("json");
      return c.json(await upsertDeals(ctx, scope, items, dryRun), 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/deals/{dealId}",
      operationId: "getDeal",
      summary: "One deal of the partner org in scope",
      tags: ["deals"],
      permission: "deals.read",
      request: { params: DealParam, query: OrgQuery.strict() },
      responses: { 200: json(DealSchema, "The deal") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getDeal");
      return c.json(getDealOrThrow(ctx, scope, c.req.valid("param").dealId), 200);
    },
  );

  api.route(
    {
      method: "patch",
      path: "/v1/deals/{dealId}",
      operationId: "updateDeal",
      summary: "Change a deal",
      tags: ["deals"],
      permission: "deals.write",
      request: {
        params: DealParam,
        query: OrgQuery.strict(),
        body: jsonBody(DealFields.partial().strict()),
      },
      responses: { 200: json(DealSchema, "Updated") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "updateDeal");
      return c.json(
        await updateDeal(ctx, scope, c.req.valid("param").dealId, c.req.valid("json")),
        200,
      );
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/deals/{dealId}",
      operationId: "deleteDeal",
      summary: "Delete a deal",
      tags: ["deals"],
      permission: "deals.write",
      request: { params: DealParam, query: OrgQuery.strict() },
      responses: { 204: { description: "Deleted" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "deleteDeal");
      await deleteDeal(ctx, scope, c.req.valid("param").dealId);
      return c.body(null, 204);
    },
  );
}
