import { z } from "@hono/zod-openapi";
import { GROUP_BYS, queryCrossPartnerDeals } from "../../core/services/cross-partner.ts";
import { type Api, serviceContext } from "../api.ts";
import { DateSchema, json, jsonBody, StageSchema } from "../schemas.ts";

export function crossPartnerRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "post",
      path: "/v1/cross-partner/deals/query",
      operationId: "queryCrossPartnerDeals",
      summary: "Aggregate deals across partners; needs a reason and is audited before it answers",
      tags: ["cross-partner"],
      permission: "cross_partner.read",
      request: {
        body: jsonBody(
          z
            .object({
              partners: z.union([
                z.literal("all"),
                z.array(z.string().min(1).max(64)).min(1).max(10_000),
              ]),
              reason: z.string().min(3).max(500),
              stage: StageSchema.optional(),
              productId: z.string().min(1).max(64).optional(),
              since: DateSchema.optional().openapi({
                description: "Close date from, inclusive; open deals have none and drop out",
              }),
              until: DateSchema.optional().openapi({
                description: "Close date to, inclusive; open deals have none and drop out",
              }),
              groupBy: z.enum(GROUP_BYS),
            })
            .strict(),
        ),
      },
      responses: {
        200: json(
          z.object({
            partners: z.number().int(),
            rows: z.array(
              z.object({
                group: z.string(),
                currency: z.string(),
                deals: z.number().int(),
                total: z.number().int(),
              }),
            ),
          }),
          "Aggregated rows; totals in minor units of each row's currency",
        ),
      },
    },
    async (c) =>
      c.json(await queryCrossPartnerDeals(serviceContext(c, store), c.req.valid("json")), 200),
  );
}
