import { getConnInfo } from "@hono/node-server/conninfo";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { Authenticator } from "../core/auth.ts";
import { type TxtLookup, txtLookup } from "../core/domains/txt.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { outboundPolicy } from "../core/outbound/policy.ts";
import type { Resolver } from "../core/outbound/resolve.ts";
import type { LiveKeyring } from "../core/secrets/live-keyring.ts";
import type { DomainSettings } from "../core/services/domains.ts";
import { KeyRotation } from "../core/services/key-rotation.ts";
import type { LoginPolicy } from "../core/services/sessions.ts";
import type { Store } from "../core/store/store.ts";
import { type DeliveryOptions, DeliveryWorker } from "../core/webhooks/worker.ts";
import { Api } from "./api.ts";
import { cors } from "./cors.ts";
import type { AppEnv } from "./env.ts";
import { errorResponse, formatIssues, handleError } from "./errors.ts";
import { mountReference } from "./reference.ts";
import { registerRoutes } from "./routes/index.ts";

export const API_VERSION = "0.1.0";
const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  store: Store;
  logger: Logger;
  loginPolicy: LoginPolicy;
  /** The master keys, loaded at start-up; tests pass an in-memory source. */
  keys: LiveKeyring;
  /** Non-public ranges and host names outbound calls may reach (config `outboundAllow`). */
  outboundAllow?: readonly string[];
  /** How outbound destination names are resolved; the system's resolver by default. */
  outboundResolve?: Resolver;
  /** Rows re-sealed per transaction during a master-key rotation. */
  rotationBatchSize?: number;
  /** How domain proofs are looked up (the system's resolver by default); names none may claim. */
  domains?: { lookup?: TxtLookup; platformHosts?: readonly string[] };
  /** Operator console origins browsers may call the API from (config `consoleOrigins`). */
  consoleOrigins?: readonly string[];
  /**
   * Webhook delivery: timeout, concurrency, retry schedule, and the clock tests
   * drive it with. The worker is created here and started by the server.
   */
  delivery?: DeliveryOptions;
  /** Extra routes mounted with the same middleware (the benchmark's baseline uses it). */
  extra?: (app: OpenAPIHono<AppEnv>) => void;
  /** Method and path of each extra route, so the declaration check lets it through. */
  extraRouteKeys?: readonly string[];
}

/** Builds the HTTP app: request ids, logging, errors, then every declared route. */
export function createApp(options: AppOptions) {
  const { store, logger } = options;
  const authenticator = new Authenticator(store, (error) =>
    logger.error({ err: error }, "auth.touch_failed"),
  );
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success)
        throw new AppError("VALIDATION_FAILED", formatIssues(result.error.issues));
    },
  });

  app.use("*", async (c, next) => {
    const requestId = newId("request");
    c.set("requestId", requestId);
    c.set("log", logger.child({ requestId }));
    c.set("clientAddr", c.env?.incoming ? (getConnInfo(c).remote.address ?? null) : null);
    // Set before the handler so the response is built with it, not rebuilt after.
    c.header("x-request-id", requestId);
    // Answers carry partner-written text; a browser must never sniff them into HTML.
    c.header("x-content-type-options", "nosniff");
    const started = performance.now();
    await next();
    // Method, path and outcome only: never a body, a query string or a header.
    const actor = c.get("actor");
    c.get("log").info(
      {
        orgId: actor?.orgId ?? null,
        actorId: actor?.id ?? null,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      "request.completed",
    );
  });
  // Before everything that can answer, so errors and 404s carry CORS headers too.
  app.use("*", cors(store, options.consoleOrigins ?? []));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      errorResponse(c, new AppError("PAYLOAD_TOO_LARGE", "request body is too large")),
  });
  // GET and HEAD carry no body; checking one would build a full Request object.
  app.use("*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next),
  );
  app.onError(handleError);
  app.notFound((c) => errorResponse(c, new AppError("NOT_FOUND", "no such route")));

  const api = new Api(app, { store, authenticator });
  const rotation = new KeyRotation(store, options.keys, { batchSize: options.rotationBatchSize });
  const domains: DomainSettings = {
    lookup: options.domains?.lookup ?? txtLookup(),
    platformHosts: options.domains?.platformHosts ?? [],
  };
  const outbound = outboundPolicy(options.outboundAllow ?? []);
  const deliveries = new DeliveryWorker(store, options.keys, outbound, {
    onError: (error) => logger.error({ err: error }, "webhook.delivery_failed"),
    ...(options.outboundResolve ? { resolve: options.outboundResolve } : {}),
    ...options.delivery,
  });
  registerRoutes(api, {
    loginPolicy: options.loginPolicy,
    keys: options.keys,
    rotation,
    outbound: outboundPolicy(options.outboundAllow ?? []),
    ...(options.outboundResolve ? { outboundResolve: options.outboundResolve } : {}),
    deliveries,
    domains,
  });
  options.extra?.(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A session token (pos_sess_…) or a machine key (pos_key_…)",
  });
  const document = () =>
    app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "PartnerOS API",
        version: API_VERSION,
        description:
          "Tenant-scoped API of partnerosd. Every operation names its permission in x-permission.",
        license: { name: "UNLICENSED", url: "https://example.invalid/partneros/license" },
      },
      servers: [{ url: "http://127.0.0.1:7420", description: "Local daemon" }],
    });
  app.get("/openapi.json", (c) => c.json(document()));
  const reference = mountReference(app);
  api.assertAllRoutesDeclared([
    "GET /openapi.json",
    ...reference,
    ...(options.extraRouteKeys ?? []),
  ]);

  return { app, api, authenticator, document, rotation, domains, deliveries };
}
