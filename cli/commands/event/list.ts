import { EVENT_TYPES } from "../../../core/store/schema.ts";
import * as api from "../../api/operations.ts";
import { allPages } from "../../api/paging.ts";
import { text, type View } from "../../output/view.ts";
import {
  flag,
  instant,
  MAX_PAGE,
  oneOf,
  optionalString,
  orgScope,
  pageLimit,
  type RawInput,
} from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PAGE_OPTIONS, PARTNER_OPTIONS } from "../options.ts";
import { EVENT_COLUMNS, eventRow, eventsView } from "./view.ts";

const SORTS = ["occurredAt", "-occurredAt"] as const;

export const eventList = defineCommand({
  name: "event list",
  summary: "List the events of a partner org, newest first",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--type <type>", description: EVENT_TYPES.join(", ") },
    { flags: "--customer <id>", description: "only events of this customer id" },
    { flags: "--deal <id>", description: "only events of this deal id" },
    { flags: "--since <time>", description: "occurred at or after: ISO 8601, or ago like 24h" },
    { flags: "--until <time>", description: "occurred before: ISO 8601, or ago like 1h" },
    { flags: "--sort <order>", description: "-occurredAt (default) or occurredAt" },
    ...PAGE_OPTIONS,
    { flags: "--all", description: "follow cursors and list every matching event" },
  ],
  operation: "GET /v1/events",

  parse: parseEventList,

  async run(input, context) {
    const { http } = await context.session();
    if (!input.all) return api.listEvents(http, input.org, input.query);
    const everyPage = { ...input.query, limit: input.query.limit ?? MAX_PAGE };
    const data = await allPages(
      (cursor) => api.listEvents(http, input.org, { ...everyPage, cursor }),
      input.query.cursor,
    );
    return { data, nextCursor: null };
  },

  view: (page) => {
    const view: View = eventsView(page.data);
    return page.nextCursor ? [...view, text(`More events: --cursor ${page.nextCursor}`)] : view;
  },

  csv: (page) => ({ columns: EVENT_COLUMNS, rows: page.data.map(eventRow) }),
});

export function parseEventList(raw: RawInput, now: Date) {
  const type = optionalString(raw, "type");
  const since = optionalString(raw, "since");
  const until = optionalString(raw, "until");
  const sort = optionalString(raw, "sort");
  const limit = optionalString(raw, "limit");
  return {
    org: orgScope(raw),
    all: flag(raw, "all"),
    query: {
      type: type === undefined ? undefined : oneOf(type, EVENT_TYPES, "--type"),
      customerId: optionalString(raw, "customer"),
      dealId: optionalString(raw, "deal"),
      since: since === undefined ? undefined : instant(since, "--since", now),
      until: until === undefined ? undefined : instant(until, "--until", now),
      sort: sort === undefined ? undefined : oneOf(sort, SORTS, "--sort"),
      limit: limit === undefined ? undefined : pageLimit(limit),
      cursor: optionalString(raw, "cursor"),
    },
  };
}
