import { type OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { Authenticator } from "../core/auth.ts";
import { AppError } from "../core/errors.ts";
import { isPermission, type Permission } from "../core/permissions.ts";
import type { ServiceContext } from "../core/services/context.ts";
import type { Store } from "../core/store/store.ts";
import type { AppEnv } from "./env.ts";

/** What a route may be reached with: one catalog permission, or nothing at all. */
export type Access = Permission | "public";

/** A route declares its permission beside its schema; there is no other way to register one. */
export type RouteSpec = RouteConfig & { permission: Access };

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "NOT_FOUND" }),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBody } },
});

const COMMON_ERRORS = {
  400: errorResponse("Malformed or invalid request (BAD_REQUEST, VALIDATION_FAILED, ...)"),
  500: errorResponse("Unexpected failure (INTERNAL); details go to the daemon log only"),
};

const GUARDED_ERRORS = {
  401: errorResponse("No valid credential (UNAUTHENTICATED)"),
  403: errorResponse("Permission missing or org suspended (FORBIDDEN, ORG_SUSPENDED, ...)"),
  404: errorResponse("Not found, or not in the caller's scope (NOT_FOUND)"),
};

const BEARER = /^bearer ([A-Za-z0-9_-]{8,200})$/i;

/** Authenticates the bearer token and checks one permission before anything else runs. */
export function guard(authenticator: Authenticator, permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // Node's raw headers avoid building a Headers object on the hot path.
    const header = c.env?.incoming?.headers.authorization ?? c.req.header("authorization");
    const match = BEARER.exec(header ?? "");
    if (!match?.[1]) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
    const actor = authenticator.authenticate(match[1]);
    c.set("actor", actor);
    if (!actor.permissions.has(permission)) {
      throw new AppError("FORBIDDEN", `this operation requires ${permission}`);
    }
    await next();
  });
}

export interface ApiDeps {
  store: Store;
  authenticator: Authenticator;
}

/** The registry every route goes through; it remembers what it registered. */
export class Api {
  readonly app: OpenAPIHono<AppEnv>;
  readonly deps: ApiDeps;
  readonly #declared = new Set<string>();

  constructor(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
    this.app = app;
    this.deps = deps;
  }

  route<R extends RouteSpec>(spec: R, handler: RouteHandler<R, AppEnv>): void {
    const { permission, ...route } = spec as RouteSpec;
    if (permission !== "public" && !(typeof permission === "string" && isPermission(permission))) {
      throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} declares no permission`);
    }
    const guarded = permission !== "public";
    const config: RouteConfig = {
      ...route,
      ...(guarded
        ? {
            middleware: [guard(this.deps.authenticator, permission)],
            security: [{ bearer: [] }],
          }
        : { security: [] }),
      responses: {
        ...COMMON_ERRORS,
        ...(guarded ? GUARDED_ERRORS : {}),
        ...route.responses,
      },
      "x-permission": permission,
    };
    this.app.openapi(config, handler as unknown as RouteHandler<RouteConfig, AppEnv>);
    this.#declared.add(routeKey(spec.method, toHonoPath(spec.path)));
  }

  /**
   * Throws when the app holds a handler that did not come through `route()`.
   * Called once the app is assembled, so an undeclared route stops start-up.
   */
  assertAllRoutesDeclared(allowed: readonly string[]): void {
    for (const r of this.app.routes) {
      if (r.method === "ALL" && r.path === "/*") continue; // app-wide middleware
      const key = routeKey(r.method, r.path);
      if (!this.#declared.has(key) && !allowed.includes(key)) {
        throw new Error(`route ${key} was registered without a permission declaration`);
      }
    }
  }
}

/** The service context of the current request: store, actor and request facts. */
export function serviceContext(
  c: { get: <K extends keyof AppEnv["Variables"]>(key: K) => AppEnv["Variables"][K] },
  store: Store,
): ServiceContext {
  return {
    store,
    actor: c.get("actor"),
    requestId: c.get("requestId"),
    clientAddr: c.get("clientAddr"),
  };
}

function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

function toHonoPath(path: string): string {
  return path.replaceAll(/\/{(.+?)}/g, "/:$1");
}
