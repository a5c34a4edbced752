// Checked by `npm run typecheck`, never run: each call below must fail tsc, so an
// operation, parameter or body the daemon's document lacks cannot reach a command.
// An `@ts-expect-error` that stops erroring fails the type check itself.
import { permissionOf } from "../../cli/api/operations.ts";
import type { Http } from "../../cli/client.ts";
import { defineCommand } from "../../cli/commands/define.ts";

export function refusedByTsc(http: Http): unknown[] {
  return [
    // @ts-expect-error: no such path
    http.api.GET("/v1/nothing"),
    // @ts-expect-error: the path needs its dealId
    http.api.GET("/v1/deals/{dealId}", {}),
    // @ts-expect-error: no such query parameter
    http.api.GET("/v1/deals", { params: { query: { colour: "red" } } }),
    // @ts-expect-error: a tenant is created with a slug and a name
    http.api.POST("/v1/tenants", { body: { slug: "acme" } }),
    // @ts-expect-error: the document has no such operation
    permissionOf("DELETE /v1/me"),
    defineCommand({
      name: "x",
      summary: "x",
      // @ts-expect-error: a command declares an operation, not a permission of its choosing
      permission: "deals.read",
      parse: () => ({}),
      run: async () => ({}),
      view: () => [],
    }),
  ];
}
