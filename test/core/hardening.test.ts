// Regression tests for what the first outside trial of the product found.
import { afterEach, describe, expect, it } from "vitest";
import { productCode } from "../../core/services/products.ts";
import { createWorld, type World } from "../harness.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

async function world(): Promise<World> {
  const w = await createWorld();
  worlds.push(w);
  for (const slug of ["acme", "beta"]) {
    await w.request("POST", "/v1/tenants", { token: w.ownerToken, body: { slug, name: slug } });
  }
  return w;
}

async function activeUser(w: World, org: string, email: string, role: string, password: string) {
  const invited = await w.request("POST", `/v1/users?org=${org}`, {
    token: w.ownerToken,
    body: { email, name: email, role },
  });
  await w.request("POST", "/v1/invitations/accept", {
    body: { token: invited.body.invitation.token, password },
  });
  return invited.body.user.id as string;
}

const login = (w: World, body: Record<string, string>) =>
  w.request("POST", "/v1/auth/login", { body });

describe("login with one email in several orgs", () => {
  it("checks a single password: the oldest account's, unless org names another", async () => {
    const w = await world();
    await activeUser(w, "acme", "sam@shared.test", "partner_viewer", "acme password 123");
    await activeUser(w, "beta", "sam@shared.test", "partner_viewer", "beta password 456");

    const oldest = await login(w, { email: "sam@shared.test", password: "acme password 123" });
    const other = await login(w, { email: "sam@shared.test", password: "beta password 456" });
    const named = await login(w, {
      email: "sam@shared.test",
      password: "beta password 456",
      org: "beta",
    });

    expect(oldest.status).toBe(200);
    expect(oldest.body.actor.orgSlug).toBe("acme");
    expect(other.status).toBe(401);
    expect(other.body.error.code).toBe("INVALID_CREDENTIALS");
    expect(named.status).toBe(200);
    expect(named.body.actor.orgSlug).toBe("beta");
  });
});

describe("removing a user", () => {
  it("revokes every key it minted, and the keys those keys minted", async () => {
    const w = await world();
    const userId = await activeUser(
      w,
      "acme",
      "ann@acme.test",
      "partner_admin",
      "ann password 123",
    );
    const session = (await login(w, { email: "ann@acme.test", password: "ann password 123" })).body
      .token;
    const first = await w.request("POST", "/v1/keys", { token: session, body: { name: "ci" } });
    const chained = await w.request("POST", "/v1/keys", {
      token: first.body.token,
      body: { name: "chained" },
    });
    const bystander = await w.request("POST", "/v1/keys?org=acme", {
      token: w.ownerToken,
      body: { name: "owner made" },
    });

    const removed = await w.request("DELETE", `/v1/users/${userId}?org=acme`, {
      token: w.ownerToken,
    });
    const me = (token: string) => w.request("GET", "/v1/me", { token });

    expect(removed.status).toBe(204);
    expect((await me(first.body.token)).status).toBe(401);
    expect((await me(chained.body.token)).status).toBe(401);
    expect((await me(bystander.body.token)).status).toBe(200);
    const audit = await w.request("GET", "/v1/audit?action=user.removed", { token: w.ownerToken });
    expect(audit.body.data[0].details.keysRevoked.sort()).toEqual(
      [first.body.key.id, chained.body.key.id].sort(),
    );
  });
});

describe("audit pages for partners", () => {
  it("carry no chain position and an opaque cursor", async () => {
    const w = await world();
    const key = (
      await w.request("POST", "/v1/keys?org=acme", { token: w.ownerToken, body: { name: "k" } })
    ).body.token;
    for (const ref of ["a", "b", "c"]) {
      await w.request("POST", "/v1/customers", {
        token: key,
        body: { externalRef: ref, name: ref },
      });
    }

    const page = await w.request("GET", "/v1/audit?limit=2", { token: key });
    const next = await w.request("GET", `/v1/audit?limit=2&cursor=${page.body.nextCursor}`, {
      token: key,
    });

    expect(page.body.data.every((r: object) => !("seq" in r))).toBe(true);
    expect(page.body.nextCursor).toBe(page.body.data[1].id);
    expect(next.status).toBe(200);
    expect(next.body.data[0].id).not.toBe(page.body.data[1].id);
  });

  it("refuse a cursor naming another org's record like any unknown cursor", async () => {
    const w = await world();
    const acme = (
      await w.request("POST", "/v1/keys?org=acme", { token: w.ownerToken, body: { name: "k" } })
    ).body.token;
    const beta = (
      await w.request("POST", "/v1/keys?org=beta", { token: w.ownerToken, body: { name: "k" } })
    ).body.token;
    const betaRecord = (await w.request("GET", "/v1/audit?limit=1", { token: beta })).body.data[0];

    const foreign = await w.request("GET", `/v1/audit?cursor=${betaRecord.id}`, { token: acme });
    const unknown = await w.request("GET", "/v1/audit?cursor=aud_00000000000000000000", {
      token: acme,
    });

    expect(foreign.status).toBe(400);
    expect({ ...foreign.body.error, requestId: "" }).toEqual({
      ...unknown.body.error,
      requestId: "",
    });
  });
});

describe("input rules", () => {
  it.each([
    ["Café", "café"],
    ["ＧＴＸ Pro", "gtxpro"],
    ["GTXPro", "gtxpro"],
    ["日本 500", "日本500"],
  ])("match product names by letters and digits of any script: %s", (name, code) => {
    expect(productCode(name)).toBe(code);
  });

  it("refuses a key that would expire at once", async () => {
    const w = await world();
    const res = await w.request("POST", "/v1/keys?org=acme", {
      token: w.ownerToken,
      body: { name: "k", expiresIn: "0s" },
    });
    expect(res.status).toBe(400);
  });

  it("refuses a cross-partner reason made of control characters", async () => {
    const w = await world();
    const res = await w.request("POST", "/v1/cross-partner/deals/query", {
      token: w.ownerToken,
      body: { partners: "all", groupBy: "partner", reason: "\u0000\u0000\u0000" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("accepts the bearer scheme in any case", async () => {
    const w = await world();
    const res = await w.request("GET", "/v1/me", {
      headers: { authorization: `bearer ${w.ownerToken}` },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["/v1/deals", { externalRef: "x", productId: "prd_x", stage: "Won", currency: "zzq" }],
    ["/v1/customers", { externalRef: "secret-ref-123", name: "n" }],
  ])("never repeats the submitted value in an error: %s", async (path, body) => {
    const w = await world();
    const key = (
      await w.request("POST", "/v1/keys?org=acme", { token: w.ownerToken, body: { name: "k" } })
    ).body.token;
    await w.request("POST", path, { token: key, body });

    const res = await w.request("POST", path, { token: key, body });

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.error.message).not.toContain(Object.values(body)[0]);
    expect(res.body.error.message).not.toContain("zzq");
  });
});
