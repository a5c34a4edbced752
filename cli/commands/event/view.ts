import { formatMoney } from "../../../core/money.ts";
import type { Event } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

const amountOf = (event: Pick<Event, "amount" | "currency">) =>
  event.amount === null || event.currency === null
    ? null
    : formatMoney(event.amount, event.currency);

const attributesOf = (event: Pick<Event, "attributes">) =>
  Object.entries(event.attributes).map(([key, value]) => `${key}=${value}`);

export function eventView(event: Event): View {
  return [
    fields([
      ["id", event.id],
      ["org", event.orgId],
      ["event id", event.eventId],
      ["type", event.type],
      ["occurred", event.occurredAt],
      ["amount", amountOf(event)],
      ["customer", event.customerId],
      ["deal", event.dealId],
      ["attributes", attributesOf(event)],
      ["received", event.receivedAt],
    ]),
  ];
}

export const EVENT_COLUMNS = [
  "id",
  "eventId",
  "type",
  "occurred",
  "amount",
  "customer",
  "deal",
] as const;

export const eventRow = (e: Event) =>
  [e.id, e.eventId, e.type, e.occurredAt, amountOf(e), e.customerId, e.dealId] as const;

export function eventsView(events: readonly Event[]): View {
  return [table(EVENT_COLUMNS, events.map(eventRow))];
}
