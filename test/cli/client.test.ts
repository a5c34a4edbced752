import { describe, expect, it } from "vitest";
import * as api from "../../cli/api/operations.ts";
import { createHttp } from "../../cli/client.ts";
import { CliError } from "../../cli/errors.ts";

interface Seen {
  request: Request;
  init: RequestInit | undefined;
}

/** A fetch answering `response()` and recording what it was asked, as openapi-fetch calls it. */
function fakeFetch(response: () => Response, seen: Seen[] = []): typeof fetch {
  return async (input, init) => {
    if (!(input instanceof Request)) throw new Error("the client sends a Request");
    seen.push({ request: input, init });
    return response();
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("createHttp", () => {
  it("sends the bearer token, a JSON body and the query, with a timeout signal", async () => {
    const seen: Seen[] = [];
    const http = createHttp({
      baseUrl: "http://daemon//",
      token: "pos_sess_t",
      fetch: fakeFetch(() => Response.json({ ok: true }, { status: 201 }), seen),
    });
    const result = await api.rotateKey(http, "acme", "key_1", { gracePeriod: "1h" });

    expect(result).toEqual({ ok: true });
    expect(http.baseUrl).toBe("http://daemon");
    const sent = seen[0]?.request;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("http://daemon/v1/keys/key_1/rotate?org=acme");
    expect(sent?.headers.get("authorization")).toBe("Bearer pos_sess_t");
    expect(sent?.headers.get("content-type")).toBe("application/json");
    expect(sent?.headers.get("accept")).toBe("application/json");
    expect(await sent?.text()).toBe('{"gracePeriod":"1h"}');
    expect(seen[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it("percent-encodes path parameters and skips undefined query values", async () => {
    const seen: Seen[] = [];
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => Response.json({ data: [], nextCursor: null }), seen),
    });
    await api.showTenant(http, "a/b");
    await api.listDeals(http, undefined, { stage: "Won", limit: 5, cursor: undefined });

    expect(seen.map((entry) => entry.request.url)).toEqual([
      "http://daemon/v1/tenants/a%2Fb",
      "http://daemon/v1/deals?stage=Won&limit=5",
    ]);
    expect(seen[0]?.request.headers.has("authorization")).toBe(false);
  });

  it("answers undefined for 204 and for an empty success", async () => {
    const empty = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => new Response(null, { status: 204 })),
    });
    expect(await api.removeUser(empty, "acme", "usr_1")).toBeUndefined();
    const blank = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => new Response("", { status: 200 })),
    });
    expect(await api.me(blank)).toBeUndefined();
  });

  it("turns an error body into a CliError with the daemon's code and request id", async () => {
    const body = { error: { code: "NOT_FOUND", message: "key not found", requestId: "req_1" } };
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => Response.json(body, { status: 404 })),
    });
    const error = await failure(api.revokeKey(http, "acme", "key_1"));
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      code: "NOT_FOUND",
      message: "key not found",
      requestId: "req_1",
    });
  });

  it("falls back to a code from the status when the error body is not the daemon's", async () => {
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => new Response("<html>bad gateway</html>", { status: 503 })),
    });
    const error = await failure(api.me(http));
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
    expect((error as CliError).message).toContain("HTTP 503 without an error body");
  });

  it("refuses a success that is not JSON", async () => {
    const http = createHttp({
      baseUrl: "http://daemon",
      fetch: fakeFetch(() => new Response("<html>portal</html>", { status: 200 })),
    });
    const error = await failure(api.health(http));
    expect(error).toMatchObject({ code: "INTERNAL" });
    expect((error as CliError).message).toBe("the daemon at http://daemon answered with non-JSON");
  });

  it("reports a refused connection as DAEMON_UNREACHABLE with the URL and a hint", async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    };
    const http = createHttp({ baseUrl: "http://127.0.0.1:7420", fetch: refused });
    const error = await failure(api.health(http));
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: "DAEMON_UNREACHABLE" });
    expect((error as CliError).message).toContain("http://127.0.0.1:7420 (ECONNREFUSED)");
    expect((error as CliError).message).toContain("partneros daemon start");
  });

  it("reports a daemon that outlives the per-call timeout as DAEMON_UNREACHABLE", async () => {
    // Never answers; gives up only when the client's signal fires.
    const silent: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const http = createHttp({ baseUrl: "http://daemon", fetch: silent, timeoutMs: 20 });
    const error = await failure(api.ready(http));
    expect(error).toMatchObject({ code: "DAEMON_UNREACHABLE" });
    expect((error as CliError).message).toBe(
      "the daemon at http://daemon did not answer within 0.02 s",
    );
  });

  it("reads the OpenAPI document, which has no typed path", async () => {
    const seen: Seen[] = [];
    const http = createHttp({
      baseUrl: "http://daemon/",
      fetch: fakeFetch(() => Response.json({ openapi: "3.1.0" }), seen),
    });
    expect(await api.openapi(http)).toEqual({ openapi: "3.1.0" });
    expect(seen[0]?.request.url).toBe("http://daemon/openapi.json");
  });
});
