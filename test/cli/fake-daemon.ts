import { createHttp, type Http } from "../../cli/client.ts";

/** One request the CLI sent, as the daemon would have read it. */
export interface SentRequest {
  method: string;
  /** Path and query string, without the origin. */
  target: string;
  body: unknown;
}

/**
 * A real typed client over a fake fetch that answers `answer` to every request
 * and records what was sent: tests see the wire, not the client's internals.
 */
export function fakeDaemon(answer: () => Response): { http: Http; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const http = createHttp({
    baseUrl: "http://daemon",
    token: "pos_sess_test",
    fetch: async (input) => {
      const request = input as Request;
      const url = new URL(request.url);
      const text = await request.text();
      sent.push({
        method: request.method,
        target: url.pathname + url.search,
        body: text ? JSON.parse(text) : undefined,
      });
      return answer();
    },
  });
  return { http, sent };
}
