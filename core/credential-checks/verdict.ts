import type { OutboundPolicy } from "../outbound/policy.ts";

export type TestOutcome = "ok" | "rejected" | "unreachable" | "failed";

/** What a credential test answers: `detail` is sanitized, safe to show, log and audit. */
export interface CredentialTestResult {
  ok: boolean;
  outcome: TestOutcome;
  detail: string;
}

/** A check's answer, with the peer's SMTP reply code or HTTP status for the audit record. */
export interface Verdict {
  outcome: TestOutcome;
  detail: string;
  status?: number;
}

/** How far a check may go: which addresses, and how long each step may take. */
export interface CheckLimits {
  outbound: OutboundPolicy;
  timeoutMs: number;
}

/**
 * No answer from the peer: a destination the guard refused, a name that did
 * not resolve, a connection that failed, or a URL that cannot be tried.
 */
export function unanswered(failure: { reason: string; detail: string }): Verdict {
  return {
    outcome: failure.reason === "failed" ? "failed" : "unreachable",
    detail: failure.detail,
  };
}
