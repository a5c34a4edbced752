import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../../core/services/sessions.ts";
import { openStore, type Store } from "../../core/store/store.ts";
import { createApp } from "../../daemon/app.ts";

const PACKAGE = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

let store: Store;
let app: ReturnType<typeof createApp>["app"];

beforeAll(async () => {
  store = await openStore({ path: ":memory:" });
  ({ app } = createApp({
    store,
    logger: pino({ level: "silent" }),
    loginPolicy: defaultLoginPolicy(3_600_000),
    keys: LiveKeyring.ephemeral(),
  }));
});

afterAll(async () => {
  await store.close();
});

const get = (path: string) => app.request(`http://daemon${path}`);

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string[]> {
  const entries = (header ?? "").split(";").map((part) => part.trim().split(/\s+/));
  return new Map(entries.map(([name = "", ...values]) => [name, values]));
}

describe("GET /docs", () => {
  it("serves the reference page without a credential, under a same-origin-only CSP", async () => {
    const response = await get("/docs");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = directives(response.headers.get("content-security-policy"));
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("runs no inline script and loads only assets the daemon serves", async () => {
    const page = await (await get("/docs")).text();

    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = "", body = ""] of scripts) {
      expect(attributes).toMatch(/src="\/docs\/assets\//);
      expect(body.trim()).toBe("");
    }
    const links = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const link of links) {
      expect(link.startsWith("/docs/assets/"), link).toBe(true);
      expect((await get(link)).status, link).toBe(200);
    }
  });
});

describe("GET /docs/assets/{name}", () => {
  it.each([
    ["swagger-ui-bundle.js", /^text\/javascript/],
    ["swagger-ui.css", /^text\/css/],
    ["favicon-32x32.png", /^image\/png$/],
    ["reference.js", /^text\/javascript/],
    ["reference.css", /^text\/css/],
  ])("serves %s as %s, under the same CSP", async (name, type) => {
    const response = await get(`/docs/assets/${name}`);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(type);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("serves the package's bundle byte for byte", async () => {
    const served = new Uint8Array(
      await (await get("/docs/assets/swagger-ui-bundle.js")).arrayBuffer(),
    );

    expect(Buffer.from(served).equals(readFileSync(join(PACKAGE, "swagger-ui-bundle.js")))).toBe(
      true,
    );
  });

  it("points the start-up script at this daemon's document", async () => {
    const script = await (await get("/docs/assets/reference.js")).text();

    expect(script).toContain('fetch("/openapi.json"');
    expect(script).toContain("persistAuthorization: false");
    expect(script).toContain("validatorUrl: null");
  });

  it.each([
    "/docs/assets/nothing.js",
    "/docs/assets/index.html",
    "/docs/assets/swagger-ui-bundle.js.map",
    "/docs/assets/..%2fpackage.json",
    "/docs/assets/%2e%2e%2fpackage.json",
    "/docs/assets/..%2f..%2f..%2fpackage.json",
    "/docs/assets/%2e%2e%5cpackage.json",
    "/docs/assets/package.json",
    "/docs/package.json",
  ])("answers 404 NOT_FOUND to %s", async (path) => {
    const response = await get(path);

    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
