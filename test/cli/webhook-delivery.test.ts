import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { WebhookDelivery, WebhookTestResult } from "../../cli/api/types.ts";
import { webhookDeliveries } from "../../cli/commands/webhook/deliveries.ts";
import { webhookReplay } from "../../cli/commands/webhook/replay.ts";
import { webhookTest } from "../../cli/commands/webhook/test.ts";
import type { CommandContext } from "../../cli/context.ts";
import { exitCodeOf } from "../../cli/errors.ts";
import { render } from "../../cli/output/printer.ts";
import { fakeDaemon } from "./fake-daemon.ts";

const raw = (args: string[], options: Record<string, unknown>) => ({ args, options });
const plain = new Chalk({ level: 0 });

function answering(result: unknown) {
  const { http, sent } = fakeDaemon(() => Response.json(result));
  const context = { session: () => Promise.resolve({ http }) } as unknown as CommandContext;
  return { context, sent };
}

const delivery: WebhookDelivery = {
  id: "whd_1",
  webhookId: "whk_1",
  messageId: "msg_1",
  eventType: "event.sale",
  status: "failed",
  attempts: 8,
  nextAttemptAt: null,
  lastStatusCode: 503,
  lastError: "http_503",
  createdAt: "2026-12-04T00:00:00.000Z",
  updatedAt: "2026-12-05T12:00:00.000Z",
  completedAt: "2026-12-05T12:00:00.000Z",
};

const tested = (outcome: string, statusCode: number | null): WebhookTestResult => ({
  delivery: { ...delivery, eventType: "webhook.test", attempts: 1 },
  attempt: {
    id: "wha_1",
    attempt: 1,
    trigger: "test",
    startedAt: delivery.createdAt,
    durationMs: 12,
    statusCode,
    outcome,
    error: statusCode === 200 ? null : "TIMEOUT",
    responseExcerpt: null,
  },
});

describe("webhook deliveries", () => {
  it("asks for one status of one endpoint and prints the rows", async () => {
    const { context, sent } = answering({ data: [delivery], nextCursor: null });

    const outcome = await webhookDeliveries.execute(
      raw(["whk_1"], { partner: "acme", status: "failed" }),
      context,
      new Date(),
    );

    expect(sent).toEqual([
      { method: "GET", target: "/v1/webhooks/whk_1/deliveries?org=acme&status=failed" },
    ]);
    const text = render(outcome.data, outcome.view, { json: false, color: plain });
    expect(text).toMatch(/whd_1\s+event\.sale\s+failed\s+8\s+503/);
  });

  it("refuses a status the daemon does not have before calling it", async () => {
    const { context, sent } = answering({ data: [], nextCursor: null });

    await expect(
      webhookDeliveries.execute(raw(["whk_1"], { status: "lost" }), context, new Date()),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(sent).toEqual([]);
  });
});

describe("webhook replay", () => {
  it("posts the replay of the delivery", async () => {
    const { context, sent } = answering({ ...delivery, status: "pending" });

    const outcome = await webhookReplay.execute(raw(["whd_1"], {}), context, new Date());

    expect(sent).toMatchObject([{ method: "POST", target: "/v1/webhook-deliveries/whd_1/replay" }]);
    expect(outcome.failure).toBeUndefined();
  });
});

describe("webhook test", () => {
  it("succeeds when the receiver accepted the test", async () => {
    const { context, sent } = answering(tested("succeeded", 200));

    const outcome = await webhookTest.execute(raw(["whk_1"], {}), context, new Date());

    expect(sent).toMatchObject([{ method: "POST", target: "/v1/webhooks/whk_1/test" }]);
    expect(outcome.failure).toBeUndefined();
  });

  it("fails with WEBHOOK_TEST_FAILED, exit 16, and still prints the attempt", async () => {
    const { context } = answering(tested("timeout", null));

    const outcome = await webhookTest.execute(raw(["whk_1"], {}), context, new Date());

    expect(outcome.failure?.code).toBe("WEBHOOK_TEST_FAILED");
    expect(outcome.failure?.message).toContain("timeout");
    expect(exitCodeOf("WEBHOOK_TEST_FAILED")).toBe(16);
    const text = render(outcome.data, outcome.view, { json: false, color: plain });
    expect(text).toMatch(/timeout/);
  });
});
