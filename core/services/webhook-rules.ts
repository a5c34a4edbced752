import { parseDuration } from "../clock.ts";
import { AppError } from "../errors.ts";
import { checkDestination } from "../outbound/destination.ts";
import type { OutboundPolicy } from "../outbound/policy.ts";
import type { Resolver } from "../outbound/resolve.ts";
import { isShowable } from "../text.ts";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from "../webhooks/catalog.ts";

// What a webhook endpoint may hold: checked before anything is sealed or stored.

/** Endpoints one org may hold: enough for real integrations, few enough to bound fan-out. */
export const MAX_ENDPOINTS_PER_ORG = 20;
export const MAX_DESCRIPTION = 200;
export const DEFAULT_GRACE_MS = 24 * 3_600_000;
export const MAX_GRACE_MS = 7 * 86_400_000;

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

/** The URL, checked by the one outbound validator: what registration and delivery agree on. */
export async function destinationOrThrow(
  settings: { outbound: OutboundPolicy; resolve?: Resolver },
  url: string,
): Promise<string> {
  const checked = await checkDestination(settings.outbound, url, {
    ...(settings.resolve ? { resolve: settings.resolve } : {}),
  });
  if (!checked.ok) throw invalid(`url: refused (${checked.reason}): ${checked.detail}`);
  return checked.url.href;
}

/** A non-empty set of subscribable types, stored sorted so equal sets compare equal. */
export function eventTypesOrThrow(types: readonly string[]): string {
  const unknown = types.find((type) => !isWebhookEventType(type));
  if (unknown !== undefined) {
    throw invalid(`eventTypes: unknown type; subscribable are ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  }
  const unique = [...new Set(types)].sort();
  if (unique.length === 0) throw invalid("eventTypes: at least one type is required");
  return JSON.stringify(unique);
}

/** A short description, trimmed; controls and invisible characters are refused, not dropped. */
export function descriptionOrThrow(text: string): string {
  if (!isShowable(text)) {
    throw invalid("description: control or invisible characters, or unpaired surrogates");
  }
  const trimmed = text.trim();
  if (trimmed.length > MAX_DESCRIPTION) {
    throw invalid(`description: at most ${MAX_DESCRIPTION} characters`);
  }
  return trimmed;
}

/** `24h` by default, `0s` for none, at most 7 days. */
export function graceOrThrow(text: string | undefined): number {
  if (text === undefined) return DEFAULT_GRACE_MS;
  const ms = parseDuration(text);
  if (ms === undefined) throw invalid("gracePeriod: must look like 0s, 90m, 24h or 7d");
  if (ms > MAX_GRACE_MS) throw invalid("gracePeriod: may be at most 7d");
  return ms;
}

/** Non-secret facts about a destination for audit records: the host, never path or query. */
export const hostOf = (url: string) => new URL(url).host;

/**
 * Why an operator endpoint may receive every partner's events: such an
 * endpoint is a standing read across partners, so like a cross-partner query
 * it needs a reason, which its audit record keeps (and its scope needed
 * `cross_partner.read`, see resolveWebhookScope).
 */
export function programReasonOrThrow(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? "";
  if (trimmed.length < 3 || !isShowable(trimmed)) {
    throw invalid(
      "reason: an operator endpoint receives every partner's events; " +
        "give a reason of at least 3 printable characters",
    );
  }
  return trimmed;
}
