/**
 * When a failed delivery is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
 * and 10 h after the attempts before, so eight attempts spread over about a
 * day and a half. A receiver that is down for an afternoon still gets every
 * message; one that never answers stops costing anything.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export interface RetryPolicy {
  /** Delay before retry n+1 after attempt n+1 failed; its length + 1 is the attempt budget. */
  readonly schedule: readonly number[];
  /**
   * Extra delay as a share of each step (0.1: up to 10% later), so receivers
   * that came back from one outage are not hit by every retry in the same
   * second. 0 keeps the schedule exact.
   */
  readonly jitter: number;
  readonly random: () => number;
}

/**
 * The time of the next attempt after the `made`-th attempt of the current
 * schedule failed, or null when the schedule is spent.
 */
export function nextAttemptAt(policy: RetryPolicy, made: number, now: Date): Date | null {
  const step = policy.schedule[made - 1];
  if (step === undefined) return null;
  const extra = policy.jitter > 0 ? Math.floor(step * policy.jitter * policy.random()) : 0;
  return new Date(now.getTime() + step + extra);
}
