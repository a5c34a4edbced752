import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { AppError } from "../core/errors.ts";
import type { AppEnv } from "./env.ts";
import { errorResponse } from "./errors.ts";
import { REFERENCE_PAGE, REFERENCE_SCRIPT, REFERENCE_STYLES } from "./reference-page.ts";

/**
 * The interactive API reference: Swagger UI, served by the daemon from the
 * installed swagger-ui-dist package (no CDN, so it works offline on-prem), over
 * the same /openapi.json. Public, like the document itself.
 */

/** Method and path of each route below, for the app's declaration check. */
export const REFERENCE_ROUTES = ["GET /docs", "GET /docs/assets/:name"] as const;

/**
 * Only our own origin, for everything the page loads or calls. Swagger UI's
 * stylesheet draws its icons from data: URLs, the one allowance; no script or
 * style runs that is not a served file.
 */
export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  type: string;
  body: string | Uint8Array<ArrayBuffer>;
  /** Vendor files change only with the package; ours with the daemon. */
  cache: string;
}

// The files of swagger-ui-dist the page uses, and nothing else of the package.
const VENDOR_FILES: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

let assets: ReadonlyMap<string, Asset> | undefined;

/** Read once per process, at the first app's start, then answered from memory. */
function loadAssets(): ReadonlyMap<string, Asset> {
  if (assets) return assets;
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const vendor = "public, max-age=86400";
  const own = "no-cache";
  const loaded = new Map<string, Asset>();
  for (const [name, type] of Object.entries(VENDOR_FILES)) {
    loaded.set(name, { type, body: new Uint8Array(readFileSync(join(dir, name))), cache: vendor });
  }
  loaded.set("reference.js", {
    type: "text/javascript; charset=utf-8",
    body: REFERENCE_SCRIPT,
    cache: own,
  });
  loaded.set("reference.css", {
    type: "text/css; charset=utf-8",
    body: REFERENCE_STYLES,
    cache: own,
  });
  assets = loaded;
  return loaded;
}

/** Mounts /docs and its assets on the app; returns their route keys. */
export function mountReference(app: OpenAPIHono<AppEnv>): readonly string[] {
  const files = loadAssets();
  app.get("/docs", (c) => {
    c.header("content-security-policy", REFERENCE_CSP);
    c.header("referrer-policy", "no-referrer");
    c.header("cache-control", "no-cache");
    return c.html(REFERENCE_PAGE);
  });
  // The name is looked up in a fixed table: no path from the request reaches the disk.
  app.get("/docs/assets/:name", (c) => {
    const asset = files.get(c.req.param("name"));
    if (!asset) return errorResponse(c, new AppError("NOT_FOUND", "no such asset"));
    c.header("content-security-policy", REFERENCE_CSP);
    c.header("cache-control", asset.cache);
    c.header("content-type", asset.type);
    return c.body(asset.body);
  });
  return REFERENCE_ROUTES;
}
