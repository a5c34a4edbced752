import { AppError, ERROR_CODES, isErrorCode } from "../core/errors.ts";
import { printable } from "./output/view.ts";

/**
 * Codes only the CLI raises. They never travel over HTTP, so they stay out of
 * the core table; docs/cli.md lists them beside it.
 */
export const CLI_EXIT_CODES = {
  AUDIT_CHAIN_BROKEN: 10,
  ROTATION_INCOMPLETE: 12,
  CREDENTIAL_TEST_FAILED: 13,
  DOMAIN_NOT_VERIFIED: 14,
  EVENTS_REJECTED: 15,
  WEBHOOK_TEST_FAILED: 16,
  CANCELLED: 1,
} as const;

export type CliCode = keyof typeof CLI_EXIT_CODES;

/**
 * An error whose code may be outside the local list: the daemon can be newer
 * than the CLI, and its code is still worth showing as-is.
 */
export class CliError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;

  constructor(code: string, message: string, options?: { requestId?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "CliError";
    this.code = code;
    this.requestId = options?.requestId;
  }
}

export interface ErrorReport {
  code: string;
  message: string;
  requestId?: string;
}

/** The exit status for a code: the core table, then the CLI's own, else 1. */
export function exitCodeOf(code: string): number {
  if (isErrorCode(code)) return ERROR_CODES[code].exit;
  if (Object.hasOwn(CLI_EXIT_CODES, code)) return CLI_EXIT_CODES[code as CliCode];
  return 1;
}

/** Reduces anything thrown to the code and message the operator sees. */
export function reportOf(error: unknown): ErrorReport {
  if (error instanceof CliError) {
    const report: ErrorReport = { code: error.code, message: error.message };
    if (error.requestId) report.requestId = error.requestId;
    return report;
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof Error && error.name === "ExitPromptError") {
    return { code: "CANCELLED", message: "prompt cancelled" };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", message };
}

/** `error CODE: message (request req_…)`, the one shape every failure prints as. */
export function formatReport(
  report: ErrorReport,
  emphasize: (text: string) => string = (text) => text,
): string {
  const suffix = report.requestId ? ` (request ${printable(report.requestId)})` : "";
  return `${emphasize("error")} ${printable(report.code)}: ${printable(report.message)}${suffix}`;
}
