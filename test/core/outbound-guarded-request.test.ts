/**
 * guardedRequest applies the whole destination rule again at connection time
 * (a delivery re-checks what registration accepted) and connects to the
 * address it checked, asking DNS once.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedRequest } from "../../core/outbound/http.ts";
import { outboundPolicy } from "../../core/outbound/policy.ts";
import type { Resolver } from "../../core/outbound/resolve.ts";

let server: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.headers.host} ${req.url}`);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Answers each lookup with the next address in `answers` (the last one repeats). */
function changing(...answers: string[]): Resolver & { calls: number } {
  const resolve = async () => {
    const address = answers[Math.min(state.calls, answers.length - 1)] ?? "";
    state.calls += 1;
    return [{ address, family: 4 }];
  };
  const state = Object.assign(resolve, { calls: 0 });
  return state;
}

const request = (url: string, resolve: Resolver, allow: string[]) =>
  guardedRequest(outboundPolicy(allow), {
    method: "POST",
    url: new URL(url),
    headers: { "content-type": "application/json" },
    body: "{}",
    timeoutMs: 5000,
    maxBodyBytes: 0,
    resolve,
  });

describe("guardedRequest", () => {
  it("reaches an allowed name at the address it checked, asking DNS once", async () => {
    hits.length = 0;
    // A second answer would point elsewhere: the connection must not ask again.
    const dns = changing("127.0.0.1", "10.255.255.1");

    const result = await request(`http://hooks.corp.internal:${port}/in`, dns, [
      "hooks.corp.internal",
    ]);

    expect(result).toMatchObject({ ok: true, response: { status: 204 } });
    expect(dns.calls).toBe(1);
    expect(hits).toEqual([`hooks.corp.internal:${port} /in`]);
  });

  it("refuses a name that now resolves inward, before connecting", async () => {
    hits.length = 0;

    const result = await request(
      `https://hooks.partner.example:${port}/in`,
      changing("127.0.0.1"),
      [],
    );

    expect(result).toMatchObject({ ok: false, reason: "not_allowed", refusal: "private_address" });
    expect(hits).toEqual([]);
  });

  it.each([
    [
      "plain http to a host not allowed by name",
      `http://hooks.partner.example:1/`,
      "https_required",
    ],
    ["userinfo", "https://a:b@hooks.partner.example/", "userinfo"],
    ["a trailing dot", "https://hooks.corp.internal./", "invalid_host"],
  ])("refuses %s as it would at registration", async (_label, url, refusal) => {
    const result = await request(url, changing("93.184.216.34"), ["hooks.corp.internal"]);

    expect(result).toMatchObject({ ok: false, refusal });
  });

  it("fails closed when the name no longer resolves", async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error("SERVFAIL"), { code: "ESERVFAIL" });
    };

    const result = await request("https://hooks.partner.example/", failing, []);

    expect(result).toMatchObject({ ok: false, reason: "unresolved", refusal: "unresolved" });
  });
});
