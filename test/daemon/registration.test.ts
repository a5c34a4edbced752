import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Authenticator } from "../../core/auth.ts";
import { isPermission } from "../../core/permissions.ts";
import { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../../core/services/sessions.ts";
import { openStore, type Store } from "../../core/store/store.ts";
import { Api, type RouteSpec } from "../../daemon/api.ts";
import { createApp } from "../../daemon/app.ts";
import type { AppEnv } from "../../daemon/env.ts";
import { handleError } from "../../daemon/errors.ts";

const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function freshApi(): Promise<Api> {
  const store = await openStore({ path: ":memory:" });
  stores.push(store);
  const authenticator = new Authenticator(store, () => undefined);
  return new Api(new OpenAPIHono<AppEnv>(), { store, authenticator });
}

function spec(path: string, permission: unknown): RouteSpec {
  return {
    ...createRoute({
      method: "get",
      path,
      responses: {
        200: {
          description: "ok",
          content: { "application/json": { schema: z.object({ ok: z.boolean() }) } },
        },
      },
    }),
    permission,
  } as RouteSpec;
}

const ok = (c: { json: (body: unknown, status: 200) => Response }) => c.json({ ok: true }, 200);

describe("Api.route", () => {
  it.each([
    ["no permission at all", undefined],
    ["an unknown permission", "users.destroy"],
    ["a permission in the wrong case", "USERS.READ"],
    ["an empty permission", ""],
    ["a list of permissions", ["users.read"]],
    ["a role name instead of a permission", "owner"],
  ])("refuses a route declaring %s", async (_label, permission) => {
    const api = await freshApi();

    expect(() => api.route(spec("/v1/things", permission), ok as never)).toThrow(
      "GET /v1/things declares no permission",
    );
    expect(api.app.routes.filter((r) => r.path === "/v1/things")).toEqual([]);
  });

  it.each([
    ["public", "public"],
    ["a catalog permission", "users.read"],
  ])("registers a route declaring %s", async (_label, permission) => {
    const api = await freshApi();

    api.route(spec("/v1/things/{thingId}", permission), ok as never);

    const operation = api.app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "t", version: "0" },
    }).paths?.["/v1/things/{thingId}"]?.get as Record<string, unknown> | undefined;
    expect(operation?.["x-permission"]).toBe(permission);
    expect(() => api.assertAllRoutesDeclared([])).not.toThrow();
  });

  it("puts a guarded route behind authentication before its handler runs", async () => {
    const api = await freshApi();
    api.app.onError(handleError);
    let calls = 0;
    api.route(spec("/v1/things", "users.read"), ((c: Parameters<typeof ok>[0]) => {
      calls += 1;
      return ok(c);
    }) as never);

    const res = await api.app.request("/v1/things");

    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    expect(calls).toBe(0);
  });
});

describe("Api.assertAllRoutesDeclared", () => {
  it.each([
    ["GET /v1/sneaky", (app: OpenAPIHono<AppEnv>) => app.get("/v1/sneaky", ok as never)],
    ["POST /v1/sneaky", (app: OpenAPIHono<AppEnv>) => app.post("/v1/sneaky", ok as never)],
    [
      "DELETE /v1/things/:thingId",
      (app: OpenAPIHono<AppEnv>) => app.delete("/v1/things/:thingId", ok as never),
    ],
    ["ALL /v1/sneaky", (app: OpenAPIHono<AppEnv>) => app.all("/v1/sneaky", ok as never)],
    ["ALL /v1/debug/*", (app: OpenAPIHono<AppEnv>) => app.all("/v1/debug/*", ok as never)],
  ])("throws for a handler added behind its back: %s", async (key, add) => {
    const api = await freshApi();
    api.route(spec("/v1/declared", "users.read"), ok as never);

    add(api.app);

    expect(() => api.assertAllRoutesDeclared([])).toThrow(
      `route ${key} was registered without a permission declaration`,
    );
  });

  it("throws for a handler added directly on a path that a declared route also uses", async () => {
    const api = await freshApi();
    api.route(spec("/v1/things", "users.read"), ok as never);

    api.app.post("/v1/things", ok as never);

    expect(() => api.assertAllRoutesDeclared([])).toThrow("POST /v1/things");
  });

  it("lets through a directly added route only when it is named as allowed", async () => {
    const api = await freshApi();

    api.app.get("/v1/extra", ok as never);

    expect(() => api.assertAllRoutesDeclared(["GET /v1/extra"])).not.toThrow();
    expect(() => api.assertAllRoutesDeclared(["POST /v1/extra"])).toThrow("GET /v1/extra");
  });

  it("ignores request-wide middleware", async () => {
    const api = await freshApi();

    api.app.use("*", async (_c, next) => {
      await next();
    });

    expect(() => api.assertAllRoutesDeclared([])).not.toThrow();
  });
});

describe("createApp", () => {
  async function realApp() {
    const store = await openStore({ path: ":memory:" });
    stores.push(store);
    return createApp({
      store,
      logger: pino({ level: "silent" }),
      loginPolicy: defaultLoginPolicy(3_600_000),
      keys: LiveKeyring.ephemeral(),
    });
  }

  it("assembles without tripping the declaration check", async () => {
    await expect(realApp()).resolves.toBeDefined();
  });

  it("names a known permission, or public, on every operation of its document", async () => {
    const { document } = await realApp();

    const operations = Object.entries(document().paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Record<string, unknown>>).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path}`,
        permission: op["x-permission"],
        security: op.security,
      })),
    );

    expect(operations.length).toBeGreaterThan(10);
    const undeclared = operations.filter(
      (o) =>
        o.permission !== "public" &&
        !(typeof o.permission === "string" && isPermission(o.permission)),
    );
    expect(undeclared).toEqual([]);
    for (const o of operations) {
      expect(o.security, o.route).toEqual(o.permission === "public" ? [] : [{ bearer: [] }]);
    }
  });

  it("documents every handler it serves, apart from the document and its reference", async () => {
    const { app, document } = await realApp();

    const documented = new Set(
      Object.entries(document().paths ?? {}).flatMap(([path, item]) =>
        Object.keys(item as object).map(
          (method) => `${method.toUpperCase()} ${path.replaceAll(/\{(.+?)\}/g, ":$1")}`,
        ),
      ),
    );
    const served = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
    );

    expect([...served].filter((key) => !documented.has(key))).toEqual([
      "GET /openapi.json",
      "GET /docs",
      "GET /docs/assets/:name",
    ]);
  });

  it("keeps health and portal routes public, all of /v1 guarded but sign-in", async () => {
    const { document } = await realApp();

    const publicRoutes = Object.entries(document().paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Record<string, unknown>>)
        .filter(([, op]) => op["x-permission"] === "public")
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );

    expect(publicRoutes.sort()).toEqual(
      [
        "GET /healthz",
        "GET /readyz",
        "GET /portal/branding",
        "POST /v1/auth/login",
        "POST /v1/invitations/accept",
      ].sort(),
    );
  });
});
