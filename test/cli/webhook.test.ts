import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { WebhookEndpoint } from "../../cli/api/types.ts";
import { webhookAdd } from "../../cli/commands/webhook/add.ts";
import { webhookList } from "../../cli/commands/webhook/list.ts";
import { webhookRemove } from "../../cli/commands/webhook/remove.ts";
import { webhookRotateSecret } from "../../cli/commands/webhook/rotate-secret.ts";
import { webhookShow } from "../../cli/commands/webhook/show.ts";
import { webhookUpdate } from "../../cli/commands/webhook/update.ts";
import type { CommandContext } from "../../cli/context.ts";
import { render } from "../../cli/output/printer.ts";
import { fakeDaemon } from "./fake-daemon.ts";

const raw = (args: string[], options: Record<string, unknown>) => ({ args, options });
const plain = new Chalk({ level: 0 });
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8a7WnKfx7Dk=";

const endpoint: WebhookEndpoint = {
  id: "whk_1",
  orgId: "org_1",
  url: "https://hooks.acme.test/in",
  description: "CRM",
  eventTypes: ["event.refund", "event.sale"],
  status: "enabled",
  disabledReason: null,
  secret: "whsec_••••",
  previousSecretExpiresAt: null,
  createdAt: "2026-12-04T00:00:00.000Z",
  updatedAt: "2026-12-04T00:00:00.000Z",
};

/** A context whose daemon answers `result` (204 when undefined) and records the requests. */
function answering(result?: unknown) {
  const { http, sent } = fakeDaemon(() =>
    result === undefined ? new Response(null, { status: 204 }) : Response.json(result),
  );
  const context = { session: () => Promise.resolve({ http }) } as unknown as CommandContext;
  return { context, sent };
}

const text = (outcome: { data: unknown; view?: unknown }) =>
  render(outcome.data, outcome.view as never, { json: false, color: plain });

describe("webhook add", () => {
  it("sends url, events and description, and prints the secret once with a warning", async () => {
    const { context, sent } = answering({ webhook: endpoint, signingSecret: SECRET });

    const outcome = await webhookAdd.execute(
      raw([], {
        partner: "acme",
        url: "https://hooks.acme.test/in",
        events: "event.sale, event.refund",
        description: "CRM",
      }),
      context,
      new Date(),
    );

    expect(sent).toEqual([
      {
        method: "POST",
        target: "/v1/webhooks?org=acme",
        body: {
          url: "https://hooks.acme.test/in",
          eventTypes: ["event.sale", "event.refund"],
          description: "CRM",
        },
      },
    ]);
    const printed = text(outcome);
    expect(printed.split(SECRET)).toHaveLength(2);
    expect(printed).toMatch(/shown this once; store it now/);
  });

  it("refuses an event type the catalog does not hold, before calling the daemon", async () => {
    const { context, sent } = answering({ webhook: endpoint, signingSecret: SECRET });

    const call = webhookAdd.execute(
      raw([], { url: "https://hooks.acme.test/in", events: "event.sale,event.payout" }),
      context,
      new Date(),
    );

    await expect(call).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(sent).toEqual([]);
  });
});

describe("webhook list and show", () => {
  it("list calls the org's endpoints without org for the caller's own", async () => {
    const { context, sent } = answering({ data: [endpoint] });

    const outcome = await webhookList.execute(raw([], {}), context, new Date());

    expect(sent).toEqual([{ method: "GET", target: "/v1/webhooks", body: undefined }]);
    expect(text(outcome)).toContain("event.refund,event.sale");
  });

  it("show prints the mask the daemon sent", async () => {
    const { context, sent } = answering(endpoint);

    const outcome = await webhookShow.execute(raw(["whk_1"], { org: "acme" }), context, new Date());

    expect(sent[0]?.target).toBe("/v1/webhooks/whk_1?org=acme");
    expect(text(outcome)).toMatch(/secret:\s+whsec_••••/);
  });
});

describe("webhook update", () => {
  it("sends only the fields given, --disable as the status", async () => {
    const { context, sent } = answering({ ...endpoint, status: "disabled" });

    await webhookUpdate.execute(
      raw(["whk_1"], { events: "event.click", disable: true }),
      context,
      new Date(),
    );

    expect(sent).toEqual([
      {
        method: "PATCH",
        target: "/v1/webhooks/whk_1",
        body: { eventTypes: ["event.click"], status: "disabled" },
      },
    ]);
  });

  it.each([
    ["nothing to change", {}],
    ["--enable with --disable", { enable: true, disable: true }],
  ])("refuses %s", async (_label, options) => {
    const { context, sent } = answering(endpoint);

    const call = webhookUpdate.execute(raw(["whk_1"], options), context, new Date());

    await expect(call).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(sent).toEqual([]);
  });
});

describe("webhook rotate-secret", () => {
  it("passes --grace, prints when the old secret stops and the new one once", async () => {
    const until = "2026-12-05T00:00:00.000Z";
    const { context, sent } = answering({
      webhook: { ...endpoint, previousSecretExpiresAt: until },
      signingSecret: SECRET,
    });

    const outcome = await webhookRotateSecret.execute(
      raw(["whk_1"], { grace: "24h" }),
      context,
      new Date(),
    );

    expect(sent).toEqual([
      { method: "POST", target: "/v1/webhooks/whk_1/rotate-secret", body: { gracePeriod: "24h" } },
    ]);
    const printed = text(outcome);
    expect(printed).toContain(`old secret too until ${until}`);
    expect(printed.split(SECRET)).toHaveLength(2);
  });

  it("refuses a grace that is no duration, before calling the daemon", async () => {
    const { context, sent } = answering({ webhook: endpoint, signingSecret: SECRET });

    const call = webhookRotateSecret.execute(
      raw(["whk_1"], { grace: "a day" }),
      context,
      new Date(),
    );

    await expect(call).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(sent).toEqual([]);
  });
});

describe("webhook remove", () => {
  it("with --yes deletes without asking", async () => {
    const { context, sent } = answering();

    const outcome = await webhookRemove.execute(raw(["whk_1"], { yes: true }), context, new Date());

    expect(sent).toEqual([{ method: "DELETE", target: "/v1/webhooks/whk_1", body: undefined }]);
    expect(text(outcome)).toContain("Removed webhook whk_1.");
  });
});
