import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { checkDestination, type RefusalReason } from "./destination.ts";
import type { OutboundPolicy } from "./policy.ts";
import type { CheckedAddress, Resolver } from "./resolve.ts";

export interface GuardedRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Response bytes kept; the rest is not read. 0 reads no body at all. */
  maxBodyBytes: number;
  /** How the host is resolved; the system's resolver by default. */
  resolve?: Resolver;
}

/** What came back. `statusText` is the peer's own words: sanitize it before showing it. */
export interface GuardedResponse {
  status: number;
  statusText: string;
  body: Buffer;
}

export type GuardedResult =
  | { ok: true; response: GuardedResponse }
  | {
      ok: false;
      reason: "not_allowed" | "unresolved" | "unreachable" | "failed";
      /** Set when the destination itself was refused, before any connection. */
      refusal?: RefusalReason;
      detail: string;
    };

/**
 * One HTTP(S) request to a partner-chosen URL: the whole destination rule
 * (`checkDestination`) is applied again at this moment, the socket goes to
 * the address that was checked (TLS still verifies the host name), redirects
 * are not followed and everything has one deadline. Failures carry a code
 * only, never the error text.
 */
export async function guardedRequest(
  policy: OutboundPolicy,
  req: GuardedRequest,
): Promise<GuardedResult> {
  const checked = await checkDestination(policy, req.url, {
    timeoutMs: req.timeoutMs,
    ...(req.resolve ? { resolve: req.resolve } : {}),
  });
  if (!checked.ok) {
    const reason =
      checked.reason === "private_address"
        ? "not_allowed"
        : checked.reason === "unresolved"
          ? "unresolved"
          : "failed";
    return { ok: false, reason, refusal: checked.reason, detail: checked.detail };
  }

  try {
    const response = await send({ ...req, url: checked.url }, checked.target);
    return { ok: true, response };
  } catch (error) {
    return { ok: false, reason: "unreachable", detail: `request failed (${codeOf(error)})` };
  }
}

function send(req: GuardedRequest, target: CheckedAddress): Promise<GuardedResponse> {
  const { url } = req;
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        method: req.method,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
        lookup: pinned,
        agent: false,
        signal: AbortSignal.timeout(req.timeoutMs),
      },
      (incoming) => {
        readBody(incoming, req.maxBodyBytes).then(
          (body) =>
            resolve({
              status: incoming.statusCode ?? 0,
              statusText: incoming.statusMessage ?? "",
              body,
            }),
          reject,
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

function readBody(incoming: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (max === 0) {
      incoming.destroy();
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) {
        incoming.destroy();
        resolve(Buffer.concat(chunks).subarray(0, max));
      }
    });
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

/** `ECONNREFUSED`, `ETIMEDOUT`: a system code, never an error message. */
export function codeOf(error: unknown): string {
  if (error instanceof Error && error.name === "AbortError") return "timed out";
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : "error";
}
