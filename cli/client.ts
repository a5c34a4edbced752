import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./api/schema.gen.ts";
import { CliError } from "./errors.ts";

/** openapi-fetch's client, its paths, parameters and bodies typed by the generated schema. */
export type ApiClient = Client<paths, "application/json">;

export interface Http {
  readonly baseUrl: string;
  /**
   * The typed client. Every call resolves with the parsed body in `data` (undefined
   * for 204): an error answer has already been thrown as a CliError by then.
   */
  readonly api: ApiClient;
  /** `GET /openapi.json`, which the document cannot describe and so has no typed path. */
  document(): Promise<unknown>;
}

export interface HttpOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  /** Per request, from sending it until its body has been read. */
  timeoutMs?: number;
}

export function createHttp(options: HttpOptions): Http {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const send = sender(options.fetch ?? fetch, baseUrl, options.timeoutMs ?? 30_000);
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const api = createClient<paths, "application/json">({ baseUrl, headers, fetch: send });
  return {
    baseUrl,
    api,
    async document() {
      const response = await send(new Request(`${baseUrl}/openapi.json`, { headers }));
      return response.status === 204 ? undefined : ((await response.json()) as unknown);
    },
  };
}

/**
 * The fetch openapi-fetch calls. It owns everything the generated types cannot:
 * the timeout, an unreachable daemon, error bodies and answers that are not JSON,
 * so openapi-fetch only ever sees a success with a JSON body or none.
 */
function sender(doFetch: typeof fetch, baseUrl: string, timeoutMs: number) {
  return async (request: Request): Promise<Response> => {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(request, { signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      throw unreachable(error, baseUrl, timeoutMs);
    }
    if (!response.ok) throw errorFromResponse(response.status, text);
    if (response.status === 204 || text === "") return new Response(null, { status: 204 });
    if (safeJson(text) === undefined) {
      throw new CliError("INTERNAL", `the daemon at ${baseUrl} answered with non-JSON`);
    }
    return new Response(text, {
      status: response.status,
      headers: { "content-type": "application/json" },
    });
  };
}

const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  503: "UNAVAILABLE",
};

/**
 * Turns `{"error":{"code","message","requestId"}}` into a CliError, keeping a
 * code the CLI does not know. A body of another shape (a proxy's page) falls
 * back to a code chosen from the status.
 */
export function errorFromResponse(status: number, text: string): CliError {
  const body = safeJson(text);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    const requestId = typeof error.requestId === "string" ? error.requestId : undefined;
    return requestId
      ? new CliError(error.code, error.message, { requestId })
      : new CliError(error.code, error.message);
  }
  const code = STATUS_CODES[status] ?? "INTERNAL";
  return new CliError(code, `the daemon answered HTTP ${status} without an error body`);
}

/** fetch rejects only when no answer came back: refused, reset, unresolvable or timed out. */
function unreachable(error: unknown, baseUrl: string, timeoutMs: number): CliError {
  if (error instanceof Error && error.name === "TimeoutError") {
    const why = `the daemon at ${baseUrl} did not answer within ${timeoutMs / 1000} s`;
    return new CliError("DAEMON_UNREACHABLE", why, { cause: error });
  }
  const cause = causeCode(error);
  const detail = cause ? ` (${cause})` : "";
  const hint = "is it running? try `partneros daemon start`";
  return new CliError(
    "DAEMON_UNREACHABLE",
    `cannot reach the daemon at ${baseUrl}${detail}; ${hint}`,
    { cause: error },
  );
}

/** The system error code under fetch's TypeError (ECONNREFUSED), else its message. */
function causeCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.code === "string") return cause.code;
  return cause instanceof Error && cause.message ? cause.message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
