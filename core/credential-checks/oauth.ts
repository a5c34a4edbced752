import { guardedRequest } from "../outbound/http.ts";
import type { Secret } from "../secrets/secret.ts";
import { httpStatus } from "./api-key.ts";
import type { Sanitizer } from "./sanitize.ts";
import { type CheckLimits, unanswered, type Verdict } from "./verdict.ts";

/** A token endpoint answer is small; anything longer is not read. */
const MAX_TOKEN_RESPONSE = 64 * 1024;
/** RFC 6749 §5.2 errors that say the client or the grant is not accepted. */
const REJECTIONS = ["invalid_grant", "invalid_client", "unauthorized_client"];

/** RFC 6749 §2.3.1: id and secret are form-encoded before they go into HTTP Basic. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
  const pair = `${encode(clientId)}:${encode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/**
 * A refresh-token grant at the token endpoint, the client authenticated with
 * HTTP Basic. Whatever tokens come back are dropped unread: nothing is stored.
 */
export async function checkOauthRefresh(
  input: { tokenUrl: string; clientId: string; clientSecret: Secret; refreshToken: Secret },
  clean: Sanitizer,
  limits: CheckLimits,
): Promise<Verdict> {
  const answer = await guardedRequest(limits.outbound, {
    method: "POST",
    url: new URL(input.tokenUrl),
    headers: {
      authorization: input.clientSecret.use((secret) => basicAuth(input.clientId, secret)),
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": "partneros-credential-test",
    },
    body: input.refreshToken.use((token) =>
      new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
    ),
    timeoutMs: limits.timeoutMs,
    maxBodyBytes: MAX_TOKEN_RESPONSE,
  });
  if (!answer.ok) return unanswered(answer);

  const { status, statusText, body } = answer.response;
  const said = httpStatus(status, statusText, clean);
  const json = parseObject(body);
  if (status === 200) {
    return typeof json?.access_token === "string" && json.access_token !== ""
      ? { outcome: "ok", detail: `token endpoint issued an access token (${said})` }
      : { outcome: "failed", detail: `${said} without an access_token`, status };
  }
  const error = typeof json?.error === "string" ? json.error : undefined;
  const reason = error === undefined ? "" : `: ${clean.peer(error)}`;
  const rejected =
    status === 401 || status === 403 || (status === 400 && REJECTIONS.includes(error ?? ""));
  return { outcome: rejected ? "rejected" : "failed", detail: `${said}${reason}`, status };
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
