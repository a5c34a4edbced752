/**
 * The closed list of error codes PartnerOS answers with. HTTP statuses and CLI
 * exit codes come from the tables below and never from the place that throws.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, exit: 2 },
  VALIDATION_FAILED: { status: 400, exit: 2 },
  SCOPE_REQUIRED: { status: 400, exit: 2 },
  UNAUTHENTICATED: { status: 401, exit: 3 },
  INVALID_CREDENTIALS: { status: 401, exit: 3 },
  FORBIDDEN: { status: 403, exit: 4 },
  ROLE_ESCALATION: { status: 403, exit: 4 },
  ORG_SUSPENDED: { status: 403, exit: 4 },
  NOT_FOUND: { status: 404, exit: 5 },
  CONFLICT: { status: 409, exit: 6 },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 2 },
  RATE_LIMITED: { status: 429, exit: 8 },
  INTERNAL: { status: 500, exit: 1 },
  /** A stored ciphertext failed authentication: never answered with the stored bytes. */
  INTEGRITY_FAILED: { status: 500, exit: 11 },
  UNAVAILABLE: { status: 503, exit: 7 },
  // Raised only on the operator's machine, never by the daemon.
  ALREADY_INITIALIZED: { status: 409, exit: 6 },
  NOT_CONFIGURED: { status: 400, exit: 9 },
  CONFIG_INVALID: { status: 400, exit: 9 },
  DATA_DIR_INSECURE: { status: 400, exit: 9 },
  DAEMON_UNREACHABLE: { status: 503, exit: 7 },
} as const satisfies Record<string, { status: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** The one application error. Its message is safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** The single answer for "missing" and "belongs to someone else". */
export function notFound(what: string): AppError {
  return new AppError("NOT_FOUND", `${what} not found`);
}
