import { CliError } from "./errors.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One daemon operation: its method and its OpenAPI-style path template. */
export interface Endpoint {
  readonly method: HttpMethod;
  readonly path: string;
}

export type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
}

export interface Http {
  readonly baseUrl: string;
  /** Calls an endpoint; resolves to the parsed JSON body, or undefined for 204. */
  call<T>(endpoint: Endpoint, options?: CallOptions): Promise<T>;
}

export interface HttpOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function createHttp(options: HttpOptions): Http {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 30_000;

  return {
    baseUrl,
    async call<T>(endpoint: Endpoint, call: CallOptions = {}): Promise<T> {
      const url = baseUrl + fillPath(endpoint.path, call.params ?? {}) + queryString(call.query);
      const headers: Record<string, string> = { accept: "application/json" };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (call.body !== undefined) headers["content-type"] = "application/json";
      let response: Response;
      try {
        response = await doFetch(url, {
          method: endpoint.method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw unreachable(error, baseUrl, timeoutMs);
      }
      const text = await response.text();
      if (!response.ok) throw errorFromResponse(response.status, text);
      if (response.status === 204 || text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CliError("INTERNAL", `the daemon at ${baseUrl} answered with non-JSON`);
      }
    },
  };
}

/** Substitutes `{name}` segments, percent-encoded; a missing one is a programming error. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`path ${template} needs ${name}`);
    return encodeURIComponent(value);
  });
}

export function queryString(query: Query | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
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
