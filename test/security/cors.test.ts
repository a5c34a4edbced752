/**
 * CORS (issue #5): which browser origins may read the API's answers. Two
 * partners, A and B, each with a verified domain, and a pending one of A's;
 * the app is built over the world's store with one console origin configured.
 * Every refusal is checked against an allowance that works, so a suite that
 * refused everything would fail too.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLoginPolicy } from "../../core/services/sessions.ts";
import type { DomainStatus } from "../../core/store/schema.ts";
import { createApp } from "../../daemon/app.ts";
import { createWorld, type World } from "../harness.ts";
import { insertDomain } from "../support/domains.ts";
import { createKey, createTenant, named, type Tenant } from "./actors.ts";

const CONSOLE = "https://console.operator.test";

let world: World;
let app: ReturnType<typeof createApp>["app"];
let a: Tenant;
let b: Tenant;
let aKey: string;
let bKey: string;

/** A domain of `orgId` in the given state, written straight into the store. */
const domain = (orgId: string, hostname: string, status: DomainStatus) =>
  insertDomain(world.store, orgId, hostname, status);

beforeAll(async () => {
  world = await createWorld();
  ({ app } = createApp({
    store: world.store,
    logger: pino({ level: "silent" }),
    loginPolicy: defaultLoginPolicy(3_600_000),
    keys: world.keys,
    consoleOrigins: [CONSOLE],
  }));
  a = await createTenant(world, "a");
  b = await createTenant(world, "b");
  aKey = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  bKey = (await createKey(world, b.slug, { role: "partner_admin" })).token;
  await domain(a.id, "partners.a.test", "verified");
  await domain(b.id, "partners.b.test", "verified");
  await domain(a.id, "pending.a.test", "pending");
  await domain(a.id, "lapsed.a.test", "unverified");
});

afterAll(async () => {
  await world?.close();
});

function call(
  path: string,
  headers: Record<string, string>,
  options: { token?: string; method?: string } = {},
) {
  const all: Record<string, string> = { ...headers };
  if (options.token !== undefined) all.authorization = `Bearer ${options.token}`;
  return app.request(path, { method: options.method ?? "GET", headers: all });
}

const preflight = (origin: string, path = "/v1/me") =>
  call(path, { origin, "access-control-request-method": "GET" }, { method: "OPTIONS" });

/** No header a browser would take as leave to read, or to send cookies. */
function expectNoAllowance(res: Response): void {
  expect(res.headers.get("access-control-allow-origin")).toBeNull();
  expect(res.headers.get("access-control-allow-methods")).toBeNull();
  expect(res.headers.get("access-control-allow-headers")).toBeNull();
  expect(res.headers.get("access-control-expose-headers")).toBeNull();
  expect(res.headers.get("access-control-allow-credentials")).toBeNull();
}

function expectAllowance(res: Response, origin: string): void {
  expect(res.headers.get("access-control-allow-origin")).toBe(origin);
  expect(res.headers.get("access-control-allow-credentials")).toBeNull();
}

function expectVaryOrigin(res: Response): void {
  const vary = (res.headers.get("vary") ?? "").split(",").map((v) => v.trim().toLowerCase());
  expect(vary).toContain("origin");
}

const REFUSED: { label: string; origin: string }[] = [
  { label: "a name that only ends like A's domain", origin: "https://evilpartners.a.test" },
  { label: "A's domain as a prefix of another", origin: "https://partners.a.test.evil.test" },
  { label: "A's domain over http", origin: "http://partners.a.test" },
  { label: "A's domain on another port", origin: "https://partners.a.test:8443" },
  { label: "A's domain with the default port written out", origin: "https://partners.a.test:443" },
  { label: "A's domain in upper case", origin: "https://PARTNERS.A.TEST" },
  { label: "A's domain with a trailing dot", origin: "https://partners.a.test." },
  { label: "A's domain with a path", origin: "https://partners.a.test/" },
  { label: "the null origin", origin: "null" },
  { label: "A's pending domain", origin: "https://pending.a.test" },
  { label: "A's unverified domain", origin: "https://lapsed.a.test" },
  { label: "B's verified domain", origin: "https://partners.b.test" },
  { label: "the console origin over http", origin: "http://console.operator.test" },
  { label: "a wildcard", origin: "*" },
  { label: "an unknown site", origin: "https://unknown.test" },
];

describe("an actual request with A's machine key", () => {
  it.each(named(REFUSED, (row) => `${row.label} (${row.origin})`))(
    "gets no allowance from %s",
    async (_, { origin }) => {
      const res = await call("/v1/me", { origin }, { token: aKey });

      expect(res.status).toBe(200);
      expectNoAllowance(res);
      expectVaryOrigin(res);
    },
  );

  it("is allowed from A's verified domain, with the request id exposed", async () => {
    const res = await call("/v1/me", { origin: "https://partners.a.test" }, { token: aKey });

    expect(res.status).toBe(200);
    expectAllowance(res, "https://partners.a.test");
    expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id");
    expectVaryOrigin(res);
  });

  it("is allowed from A's domain on an error answer, so the page can read the code", async () => {
    const res = await call("/v1/tenants", { origin: "https://partners.a.test" }, { token: aKey });

    expect(res.status).toBe(403);
    expectAllowance(res, "https://partners.a.test");
  });

  it("is allowed from the configured console origin", async () => {
    const res = await call("/v1/me", { origin: CONSOLE }, { token: aKey });

    expectAllowance(res, CONSOLE);
  });
});

describe("B's machine key", () => {
  it("is allowed from B's verified domain and refused from A's", async () => {
    const own = await call("/v1/me", { origin: "https://partners.b.test" }, { token: bKey });
    const other = await call("/v1/me", { origin: "https://partners.a.test" }, { token: bKey });

    expectAllowance(own, "https://partners.b.test");
    expectNoAllowance(other);
  });
});

describe("an operator request", () => {
  it("is allowed from the configured console origin", async () => {
    const res = await call("/v1/tenants", { origin: CONSOLE }, { token: world.ownerToken });

    expect(res.status).toBe(200);
    expectAllowance(res, CONSOLE);
  });

  it.each([
    ["the console origin on another port", `${CONSOLE}:8443`],
    ["a partner's verified domain", "https://partners.a.test"],
    ["a console origin nobody configured", "https://console.elsewhere.test"],
  ])("gets no allowance from %s", async (_, origin) => {
    const res = await call("/v1/tenants", { origin }, { token: world.ownerToken });

    expectNoAllowance(res);
  });

  it("gets no allowance from the console origin when none is configured", async () => {
    const res = await world.app.request("/v1/tenants", {
      headers: { origin: CONSOLE, authorization: `Bearer ${world.ownerToken}` },
    });

    expect(res.status).toBe(200);
    expectNoAllowance(res);
  });
});

describe("a preflight", () => {
  // A preflight names no actor, so any verified domain passes it: B's is allowed below.
  const refused = REFUSED.filter((row) => row.origin !== "https://partners.b.test");

  it.each(named(refused, (row) => `${row.label} (${row.origin})`))(
    "from %s answers 204 without allow headers",
    async (_, { origin }) => {
      const res = await preflight(origin);

      expect(res.status).toBe(204);
      expectNoAllowance(res);
      expectVaryOrigin(res);
    },
  );

  it.each([
    ["A's verified domain", "https://partners.a.test"],
    ["B's verified domain", "https://partners.b.test"],
    ["the console origin", CONSOLE],
  ])("from %s is allowed: it carries no credential, the request decides", async (_, origin) => {
    const res = await preflight(origin, "/v1/customers");

    expect(res.status).toBe(204);
    expectAllowance(res, origin);
    expect(res.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(res.headers.get("access-control-max-age")).toBe("60");
    expectVaryOrigin(res);
  });
});

describe("Vary: Origin", () => {
  const answers: [string, () => Response | Promise<Response>][] = [
    ["an answer to a request without Origin", () => call("/v1/me", {}, { token: aKey })],
    ["the health check", () => call("/healthz", { origin: "https://partners.a.test" })],
    ["an unknown route", () => call("/v1/nowhere", { origin: "https://partners.a.test" })],
    ["a missing credential", () => call("/v1/me", { origin: "https://partners.a.test" })],
    [
      "a refused permission",
      () => call("/v1/tenants", { origin: "https://unknown.test" }, { token: aKey }),
    ],
    [
      "an invalid query",
      () => call("/v1/users?bogus=1", { origin: "https://partners.a.test" }, { token: aKey }),
    ],
    ["a portal 404", () => call("/portal/branding", { host: "unknown.test", origin: "null" })],
  ];

  it.each(answers)("is sent on %s", async (_, send) => {
    const res = await send();

    expectVaryOrigin(res);
    expect(res.headers.get("access-control-allow-origin")).not.toBe("*");
  });
});

describe("a domain that stops being verified", () => {
  it("is refused on the very next request once removed", async () => {
    const id = await domain(a.id, "removed.a.test", "verified");
    const origin = "https://removed.a.test";
    const before = await call("/v1/me", { origin }, { token: aKey });

    await world.store.db.deleteFrom("domains").where("id", "=", id).execute();
    const after = await call("/v1/me", { origin }, { token: aKey });
    const afterPreflight = await preflight(origin);

    expectAllowance(before, origin);
    expectNoAllowance(after);
    expectNoAllowance(afterPreflight);
  });

  it("is refused on the very next request once unverified", async () => {
    const id = await domain(a.id, "dropped.a.test", "verified");
    const origin = "https://dropped.a.test";
    const before = await call("/v1/me", { origin }, { token: aKey });

    await world.store.db
      .updateTable("domains")
      .set({ status: "unverified" })
      .where("id", "=", id)
      .execute();
    const after = await call("/v1/me", { origin }, { token: aKey });

    expectAllowance(before, origin);
    expectNoAllowance(after);
  });
});

describe("the portal route, without a credential", () => {
  it("is allowed from the verified domain the Host resolves to", async () => {
    const res = await call("/portal/branding", {
      host: "partners.a.test",
      origin: "https://partners.a.test",
    });

    expect(res.status).toBe(200);
    expectAllowance(res, "https://partners.a.test");
  });

  it("gets no allowance from another verified domain than the Host", async () => {
    const res = await call("/portal/branding", {
      host: "partners.a.test",
      origin: "https://partners.b.test",
    });

    expect(res.status).toBe(200);
    expectNoAllowance(res);
  });
});
