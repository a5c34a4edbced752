import { AppError } from "../../../core/errors.ts";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../../core/webhooks/catalog.ts";
import { commaList } from "../../parse.ts";
import type { OptionDef } from "../define.ts";

/** `--partner` and `--org`: operators naming none manage the operator org's own endpoints. */
export const WEBHOOK_SCOPE_OPTIONS: readonly OptionDef[] = [
  {
    flags: "--partner <org>",
    description: "org slug or id (default: your own org, partner or operator)",
  },
  { flags: "--org <org>", description: "alias of --partner" },
];

/** `--events event.sale,event.refund`, each a subscribable type of the catalog. */
export function eventTypes(value: string): WebhookEventType[] {
  const types = commaList(value, "--events");
  const unknown = types.find((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown !== undefined) {
    throw new AppError(
      "VALIDATION_FAILED",
      `--events: ${unknown} is not an event type; use ${WEBHOOK_EVENT_TYPES.join(", ")}`,
    );
  }
  return types as WebhookEventType[];
}
