import { guardedRequest } from "../outbound/http.ts";
import type { Secret } from "../secrets/secret.ts";
import type { Sanitizer } from "./sanitize.ts";
import { type CheckLimits, unanswered, type Verdict } from "./verdict.ts";

/** A GET of the service's base URL with the key as a bearer token; redirects are not followed. */
export async function checkApiKey(
  baseUrl: string,
  key: Secret,
  clean: Sanitizer,
  limits: CheckLimits,
): Promise<Verdict> {
  const answer = await guardedRequest(limits.outbound, {
    method: "GET",
    url: new URL(baseUrl),
    headers: key.use((value) => ({
      authorization: `Bearer ${value}`,
      accept: "*/*",
      "user-agent": "partneros-credential-test",
    })),
    timeoutMs: limits.timeoutMs,
    maxBodyBytes: 0,
  });
  if (!answer.ok) return unanswered(answer);

  const { status, statusText } = answer.response;
  const said = httpStatus(status, statusText, clean);
  if (status >= 200 && status < 300) return { outcome: "ok", detail: `accepted: ${said}` };
  if (status === 401 || status === 403) return { outcome: "rejected", detail: said, status };
  const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
  return { outcome: "failed", detail: `${said}${redirect}`, status };
}

/** `HTTP 401 Unauthorized`, the reason phrase being the peer's words, sanitized. */
export function httpStatus(status: number, statusText: string, clean: Sanitizer): string {
  const reason = clean.peer(statusText);
  return reason === "" ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
}
