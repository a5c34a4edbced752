import type { Logger } from "pino";
import { type DomainSettings, recheckDomains } from "../core/services/domains.ts";
import type { Store } from "../core/store/store.ts";

/** The longest wait between two rounds, so a short interval is honoured closely. */
const MAX_TICK_MS = 60_000;

/**
 * Looks every verified domain's proof up again once per `intervalMs`. A round
 * never overlaps the one before it; `stop` waits for the round in hand.
 */
export function startDomainRecheck(
  store: Store,
  settings: DomainSettings,
  intervalMs: number,
  logger: Logger,
): { stop(): Promise<void> } {
  let round: Promise<void> | undefined;
  const tick = () => {
    if (round) return;
    round = recheckDomains(store, settings, { intervalMs })
      .then((result) => {
        if (result.unverified.length > 0 || result.unanswered > 0) {
          logger.warn(
            { unverified: result.unverified, unanswered: result.unanswered },
            "domain.recheck_changed",
          );
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, "domain.recheck_failed"))
      .finally(() => {
        round = undefined;
      });
  };
  const timer = setInterval(tick, Math.min(intervalMs, MAX_TICK_MS));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
