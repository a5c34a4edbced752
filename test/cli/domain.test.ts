import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { Domain } from "../../cli/api/types.ts";
import { domainAdd } from "../../cli/commands/domain/add.ts";
import { domainVerify } from "../../cli/commands/domain/verify.ts";
import type { CommandContext } from "../../cli/context.ts";
import { exitCodeOf } from "../../cli/errors.ts";
import { render } from "../../cli/output/printer.ts";
import { fakeDaemon } from "./fake-daemon.ts";

const raw = (args: string[], options: Record<string, unknown>) => ({ args, options });
const plain = new Chalk({ level: 0 });

/** A context whose daemon answers `result` and records the requests. */
function answering(result: Domain) {
  const { http, sent } = fakeDaemon(() => Response.json(result));
  const context = { session: () => Promise.resolve({ http }) } as unknown as CommandContext;
  return { context, sent };
}

const pending: Domain = {
  id: "dom_1",
  orgId: "org_1",
  hostname: "portal.acme.test",
  status: "pending",
  verification: {
    type: "TXT",
    name: "_partneros-challenge.portal.acme.test",
    value: "partneros-verification=abc",
  },
  createdAt: "2026-12-04T00:00:00.000Z",
  updatedAt: "2026-12-04T00:00:00.000Z",
  verifiedAt: null,
  lastCheckedAt: null,
  lastCheckError: null,
};

describe("domain add", () => {
  it("sends the hostname for the partner and prints the record to publish", async () => {
    const { context, sent } = answering(pending);

    const outcome = await domainAdd.execute(
      raw(["portal.acme.test"], { partner: "acme" }),
      context,
      new Date(),
    );

    expect(sent).toEqual([
      { method: "POST", target: "/v1/domains?org=acme", body: { hostname: "portal.acme.test" } },
    ]);
    const text = render(outcome.data, outcome.view, { json: false, color: plain });
    expect(text).toMatch(/name:\s+_partneros-challenge\.portal\.acme\.test/);
    expect(text).toMatch(/value:\s+partneros-verification=abc/);
  });
});

describe("domain verify", () => {
  it("succeeds when the domain ends verified, without the record to publish", async () => {
    const verified = { ...pending, status: "verified", verifiedAt: pending.createdAt } as const;
    const { context } = answering(verified);

    const outcome = await domainVerify.execute(raw(["dom_1"], {}), context, new Date());

    expect(outcome.failure).toBeUndefined();
    const text = render(outcome.data, outcome.view, { json: false, color: plain });
    expect(text).not.toContain("partneros-verification=abc");
  });

  it.each([
    ["pending", "RECORD_MISSING"],
    ["unverified", "RECORD_MISMATCH"],
  ] as const)("fails with DOMAIN_NOT_VERIFIED, exit 14, when it ends %s", async (status, why) => {
    const { context } = answering({ ...pending, status, lastCheckError: why });

    const outcome = await domainVerify.execute(raw(["dom_1"], {}), context, new Date());

    expect(outcome.failure?.code).toBe("DOMAIN_NOT_VERIFIED");
    expect(outcome.failure?.message).toContain(why);
    expect(exitCodeOf("DOMAIN_NOT_VERIFIED")).toBe(14);
  });
});
