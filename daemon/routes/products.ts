import { z } from "@hono/zod-openapi";
import {
  createProduct,
  getProductOrThrow,
  listProducts,
  updateProduct,
} from "../../core/services/products.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody, ProductSchema } from "../schemas.ts";

const ProductParam = z.object({ productId: IdParam("productId", "prd") });
const Price = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

export function productRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/products",
      operationId: "listProducts",
      summary: "The operator's product catalogue",
      tags: ["products"],
      permission: "products.read",
      responses: { 200: json(z.object({ data: z.array(ProductSchema) }), "Products") },
    },
    (c) => c.json({ data: listProducts(serviceContext(c, store)) }, 200),
  );

  api.route(
    {
      method: "post",
      path: "/v1/products",
      operationId: "createProduct",
      summary: "Add a catalogue product",
      tags: ["products"],
      permission: "products.write",
      request: {
        body: jsonBody(
          z
            .object({
              name: z.string().min(1).max(200),
              series: z.string().max(200).nullable().optional(),
              listPrice: Price.optional(),
              currency: z.string().length(3),
            })
            .strict(),
        ),
      },
      responses: { 201: json(ProductSchema, "Created") },
    },
    async (c) => c.json(await createProduct(serviceContext(c, store), c.req.valid("json")), 201),
  );

  api.route(
    {
      method: "get",
      path: "/v1/products/{productId}",
      operationId: "getProduct",
      summary: "One catalogue product",
      tags: ["products"],
      permission: "products.read",
      request: { params: ProductParam },
      responses: { 200: json(ProductSchema, "The product") },
    },
    (c) => c.json(getProductOrThrow(serviceContext(c, store), c.req.valid("param").productId), 200),
  );

  api.route(
    {
      method: "patch",
      path: "/v1/products/{productId}",
      operationId: "updateProduct",
      summary: "Change a product's series or list price",
      tags: ["products"],
      permission: "products.write",
      request: {
        params: ProductParam,
        body: jsonBody(
          z
            .object({
              series: z.string().max(200).nullable().optional(),
              listPrice: Price.optional(),
            })
            .strict(),
        ),
      },
      responses: { 200: json(ProductSchema, "Updated") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      return c.json(
        await updateProduct(ctx, c.req.valid("param").productId, c.req.valid("json")),
        200,
      );
    },
  );
}
