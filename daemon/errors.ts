import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode } from "../core/errors.ts";
import type { AppEnv } from "./env.ts";

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** The one error body: `{"error": {"code", "message", "requestId"}}`. */
export function errorResponse(c: Context<AppEnv>, error: AppError): Response {
  return c.json(
    { error: { code: error.code, message: error.message, requestId: c.get("requestId") } },
    error.status as ContentfulStatusCode,
  );
}

/** Maps anything thrown to the error body; unknown failures become a bare 500. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof AppError) return errorResponse(c, error);
  if (error instanceof HTTPException) {
    const code = STATUS_CODES[error.status];
    if (code) {
      const message = error.status === 400 ? "request body is not valid JSON" : error.message;
      return errorResponse(c, new AppError(code, message || code.toLowerCase()));
    }
  }
  const actor = c.get("actor");
  c.get("log").error(
    { err: error, orgId: actor?.orgId ?? null, actorId: actor?.id ?? null },
    "request.failed",
  );
  return errorResponse(c, new AppError("INTERNAL", "internal error"));
}

// Field names a schema could declare. A key the caller made up is named only
// when it looks like one, so a secret sent as a key never comes back.
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const shownKey = (key: PropertyKey) =>
  typeof key === "number" || FIELD_NAME.test(String(key)) ? String(key) : "…";

/** Validation issues as one message: field paths and rules, never a value. */
export function formatIssues(
  issues: readonly {
    path: readonly PropertyKey[];
    message: string;
    code?: string;
    keys?: readonly string[];
  }[],
): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const message =
        issue.code === "unrecognized_keys"
          ? `unknown field ${(issue.keys ?? []).map(shownKey).join(", ")}`
          : issue.message;
      return `${issue.path.map(shownKey).join(".") || "(root)"}: ${message}`;
    })
    .join("; ");
}
