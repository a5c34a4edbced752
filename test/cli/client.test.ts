import { describe, expect, it } from "vitest";
import { createHttp, fillPath, queryString } from "../../cli/client.ts";
import { CliError } from "../../cli/errors.ts";

interface Seen {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(response: () => Response, seen: Seen[] = []): typeof fetch {
  return async (input, init) => {
    seen.push({ url: String(input), init });
    return response();
  };
}

const endpoint = { method: "POST", path: "/v1/keys/{keyId}/rotate" } as const;

describe("fillPath and queryString", () => {
  it("percent-encodes path parameters", () => {
    expect(fillPath("/v1/tenants/{tenant}", { tenant: "a/b" })).toBe("/v1/tenants/a%2Fb");
  });

  it("skips undefined query values", () => {
    expect(queryString({ org: "acme", limit: 5, action: undefined })).toBe("?org=acme&limit=5");
    expect(queryString({ org: undefined })).toBe("");
  });
});

describe("createHttp", () => {
  it("sends the bearer token, a JSON body and the query", async () => {
    const seen: Seen[] = [];
    const http = createHttp({
      baseUrl: "http://daemon/",
      token: "pos_sess_t",
      fetch: fakeFetch(() => Response.json({ ok: true }, { status: 201 }), seen),
    });
    const result = await http.call<{ ok: boolean }>(endpoint, {
      params: { keyId: "key_1" },
      query: { org: "acme" },
      body: { gracePeriod: "1h" },
    });
    expect(result).toEqual({ ok: true });
    expect(seen[0]?.url).toBe("http://daemon/v1/keys/key_1/rotate?org=acme");
    expect(seen[0]?.init?.headers).toMatchObject({
      authorization: "Bearer pos_sess_t",
      "content-type": "application/json",
    });
    expect(seen[0]?.init?.body).toBe('{"gracePeriod":"1h"}');
  });

  it("answers undefined for 204", async () => {
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => new Response(null, { status: 204 })),
    });
    expect(await http.call({ method: "DELETE", path: "/v1/users/u" })).toBeUndefined();
  });

  it("turns an error body into a CliError with the daemon's code", async () => {
    const body = { error: { code: "NOT_FOUND", message: "key not found", requestId: "req_1" } };
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => Response.json(body, { status: 404 })),
    });
    await expect(http.call(endpoint, { params: { keyId: "k" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
      requestId: "req_1",
    });
  });

  it("reports a refused connection as DAEMON_UNREACHABLE with the URL", async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    };
    const http = createHttp({ baseUrl: "http://127.0.0.1:7420", fetch: refused });
    const error = await http.call({ method: "GET", path: "/healthz" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: "DAEMON_UNREACHABLE" });
    expect((error as CliError).message).toContain("http://127.0.0.1:7420 (ECONNREFUSED)");
  });
});
