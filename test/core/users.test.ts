import { afterEach, describe, expect, it } from "vitest";
import { createWorld, type World } from "../harness.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

async function partnerWorld(): Promise<World> {
  const w = await createWorld();
  worlds.push(w);
  await w.request("POST", "/v1/tenants", {
    token: w.ownerToken,
    body: { slug: "acme", name: "Acme" },
  });
  return w;
}

const invite = (w: World, email: string, role = "partner_member") =>
  w.request("POST", "/v1/users?org=acme", {
    token: w.ownerToken,
    body: { email, name: "Ann", role },
  });

describe("users", () => {
  it("can be invited again after removal, keeping their id", async () => {
    const w = await partnerWorld();
    const first = await invite(w, "ann@acme.test");
    const removed = await w.request("DELETE", `/v1/users/${first.body.user.id}?org=acme`, {
      token: w.ownerToken,
    });

    const again = await invite(w, "ANN@acme.test", "partner_viewer");

    expect(removed.status).toBe(204);
    expect(again.status).toBe(201);
    expect(again.body.user).toMatchObject({
      id: first.body.user.id,
      role: "partner_viewer",
      status: "invited",
    });
  });

  it("refuses an invitation issued before the removal once re-invited", async () => {
    const w = await partnerWorld();
    const first = await invite(w, "bob@acme.test");
    await w.request("DELETE", `/v1/users/${first.body.user.id}?org=acme`, { token: w.ownerToken });
    const second = await invite(w, "bob@acme.test");

    const stale = await w.request("POST", "/v1/invitations/accept", {
      body: { token: first.body.invitation.token, password: "a long enough password" },
    });
    const fresh = await w.request("POST", "/v1/invitations/accept", {
      body: { token: second.body.invitation.token, password: "a long enough password" },
    });

    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe("INVALID_CREDENTIALS");
    expect(fresh.status).toBe(200);
  });

  it("still refuses a second invitation for an active or invited email", async () => {
    const w = await partnerWorld();
    await invite(w, "cy@acme.test");

    const again = await invite(w, "cy@acme.test");

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
  });

  it.each([
    ["POST", "/v1/tenants", { slug: "beta", name: "Beta", plan: "gold" }],
    ["POST", "/v1/keys?org=acme", { name: "ci", expiresin: "1d" }],
    [
      "POST",
      "/v1/users?org=acme",
      { email: "d@acme.test", name: "D", role: "partner_member", x: 1 },
    ],
    ["POST", "/v1/auth/login", { email: "a@b.test", password: "x", remember: true }],
  ])("refuses an unknown body field on %s %s", async (method, path, body) => {
    const w = await partnerWorld();

    const res = await w.request(method, path, { token: w.ownerToken, body });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
  });
});
