/**
 * CORS in a real browser (issue #5): headless Chromium loads a page from a
 * partner's verified domain and from its pending one, both served over HTTPS
 * on loopback, and the page calls the daemon's API with the partner's machine
 * key. Only the verified origin may read the answer. Chromium must be
 * installed at /usr/bin/chromium (.ci/run installs Debian's): without it this
 * suite fails, it never skips.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type BrowserContext, chromium } from "playwright-core";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainStatus } from "../../core/store/schema.ts";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, type Tenant } from "../security/actors.ts";
import { insertDomain } from "../support/domains.ts";

const CHROMIUM = "/usr/bin/chromium";
const API = "https://api.test";

interface PageResult {
  read: boolean;
  error?: string;
  orgId?: string;
}

let world: World;
let a: Tenant;
let key: string;
let api: Server;
let pages: Server;
let context: BrowserContext;
let profileDir: string;
/** Origin and method of every request the API received, so a refusal is shown to be CORS. */
const seen: { method: string; origin: string | null }[] = [];

/** The page: calls the API with the key and reports whether it could read the JSON. */
function page(token: string): string {
  const script = `
    fetch(${JSON.stringify(`${API}/v1/me`)}, {
      headers: { authorization: ${JSON.stringify(`Bearer ${token}`)} },
    })
      .then((res) => res.json())
      .then((body) => { window.result = { read: true, orgId: body.actor.orgId }; })
      .catch((error) => { window.result = { read: false, error: error.name }; });
  `;
  return `<!doctype html><html><head><title>portal</title></head><body>
    <script>${script}</script></body></html>`;
}

/** A domain of `orgId` in the given state, written straight into the store. */
const domain = (orgId: string, hostname: string, status: DomainStatus) =>
  insertDomain(world.store, orgId, hostname, status);

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium ` +
        "(apt-get install -y --no-install-recommends chromium); this test never skips",
    );
  }
  world = await createWorld();
  a = await createTenant(world, "a");
  key = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  await domain(a.id, "partners.a.test", "verified");
  await domain(a.id, "pending.a.test", "pending");

  const names = ["partners.a.test", "pending.a.test", "api.test"];
  const tls = await generate([{ name: "commonName", value: "api.test" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: names.map((value) => ({ type: 2, value })) }],
  });
  const serverOptions = { key: tls.private, cert: tls.cert };

  api = serve({
    fetch: (request, env) => {
      seen.push({ method: request.method, origin: request.headers.get("origin") });
      return world.app.fetch(request, env);
    },
    createServer,
    serverOptions,
    port: 0,
    hostname: "127.0.0.1",
  }) as Server;
  await new Promise<void>((resolve) => {
    if (api.listening) resolve();
    else api.once("listening", () => resolve());
  });
  const apiPort = (api.address() as AddressInfo).port;
  pages = createServer(serverOptions, (_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page(key));
  });
  const pagePort = await listen(pages);

  profileDir = mkdtempSync(join(tmpdir(), "partneros-chromium-"));
  const rules = [
    `MAP partners.a.test:443 127.0.0.1:${pagePort}`,
    `MAP pending.a.test:443 127.0.0.1:${pagePort}`,
    `MAP api.test:443 127.0.0.1:${apiPort}`,
  ].join(", ");
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--ignore-certificate-errors",
      `--host-resolver-rules=${rules}`,
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined)));
  api?.closeAllConnections();
  await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
  await world?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function visit(origin: string): Promise<PageResult> {
  const tab = await context.newPage();
  try {
    await tab.goto(`${origin}/`);
    const handle = await tab.waitForFunction(() => (window as { result?: unknown }).result);
    return (await handle.jsonValue()) as PageResult;
  } finally {
    await tab.close();
  }
}

describe("a page calling the API with the partner's key", () => {
  it("reads the answer on the partner's verified domain", async () => {
    const result = await visit("https://partners.a.test");

    expect(result).toEqual({ read: true, orgId: a.id });
  }, 60_000);

  it("cannot read the answer on the partner's pending domain: fetch throws", async () => {
    const result = await visit("https://pending.a.test");

    expect(result).toEqual({ read: false, error: "TypeError" });
    // The API was reached and refused the origin: the failure is CORS, not the network.
    expect(seen).toContainEqual({ method: "OPTIONS", origin: "https://pending.a.test" });
  }, 60_000);
});
