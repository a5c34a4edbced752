import { createMiddleware } from "hono/factory";
import { hostOfHeader } from "../core/domains/hostname.ts";
import type { Store } from "../core/store/store.ts";
import { portalReads } from "../core/tenancy/partner-data.ts";
import type { AppEnv } from "./env.ts";

const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS = "authorization, content-type";
const MAX_AGE_SECONDS = "60";

/**
 * The hostname of an origin that can be a verified domain: https on the
 * default port, written exactly as a browser serializes it. Anything else
 * (http, another port, upper case, a path, `null`) can never be one.
 */
function httpsHostOf(origin: string): string | undefined {
  if (!origin.startsWith("https://")) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  return url.origin === origin && url.port === "" ? url.hostname : undefined;
}

/**
 * CORS for every answer, errors and 404s included. Allowed are exactly the
 * configured console origins and `https://<verified domain>` — of the
 * authenticated actor's org, or, without an actor, of the Host the request
 * came to (a portal page calling its own host). The domain is looked up on
 * every request, so a removed or unverified domain stops counting with its
 * commit. The request's Origin is only ever echoed after it compared equal to
 * an allowed one; no wildcard, no credentials (the API takes bearer tokens).
 *
 * A preflight carries no credential, so it is allowed for a console origin or
 * any verified domain, and the actual request decides. A refused preflight is
 * still 204, only without allow headers: the browser then stops the call.
 */
export function cors(store: Store, consoleOrigins: readonly string[]) {
  const consoles = new Set(consoleOrigins);
  const reads = portalReads(store);
  const verifiedDomain = (origin: string) => {
    const host = httpsHostOf(origin);
    return host === undefined ? undefined : reads.verifiedDomain(host);
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    c.header("Vary", "Origin");
    // Node's raw headers keep requests without an Origin (API clients) cheap.
    const origin = c.env?.incoming?.headers.origin ?? c.req.header("origin");
    if (origin === undefined) return next();

    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      if (consoles.has(origin) || verifiedDomain(origin)) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Methods", ALLOW_METHODS);
        c.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
        c.header("Access-Control-Max-Age", MAX_AGE_SECONDS);
      }
      return c.body(null, 204);
    }

    await next();

    if (!consoles.has(origin)) {
      const domain = verifiedDomain(origin);
      if (!domain) return;
      const actor = c.get("actor");
      const host = c.env?.incoming?.headers.host ?? c.req.header("host");
      const inScope = actor
        ? domain.org_id === actor.orgId
        : domain.hostname === hostOfHeader(host);
      if (!inScope) return;
    }
    c.header("Access-Control-Allow-Origin", origin);
    c.header("Access-Control-Expose-Headers", "x-request-id");
  });
}
