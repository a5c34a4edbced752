import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { CredentialTest } from "../../cli/api/types.ts";
import { credentialTest } from "../../cli/commands/credential/test.ts";
import type { CommandContext } from "../../cli/context.ts";
import { exitCodeOf } from "../../cli/errors.ts";
import { render } from "../../cli/output/printer.ts";
import { fakeDaemon } from "./fake-daemon.ts";

const raw = (args: string[], options: Record<string, unknown>) => ({ args, options });

/** A context whose daemon answers `result` and records the requests. */
function answering(result: CredentialTest) {
  const { http, sent } = fakeDaemon(() => Response.json(result));
  const context = { session: () => Promise.resolve({ http }) } as unknown as CommandContext;
  return { context, sent };
}

const plain = new Chalk({ level: 0 });
const base = { credentialId: "crd_1", orgId: "org_1", kind: "smtp" } as const;

describe("credential test", () => {
  it("calls POST /v1/credentials/{id}/test with the partner as ?org=", async () => {
    const { context, sent } = answering({ ...base, ok: true, outcome: "ok", detail: "logged in" });

    await credentialTest.execute(raw(["crd_1"], { partner: "acme" }), context, new Date());

    expect(sent).toEqual([
      { method: "POST", target: "/v1/credentials/crd_1/test?org=acme", body: undefined },
    ]);
  });

  it("prints the outcome and the detail, and succeeds once the credential passes", async () => {
    const result = { ...base, ok: true, outcome: "ok", detail: "logged in as mailer" } as const;
    const { context } = answering(result);

    const outcome = await credentialTest.execute(raw(["crd_1"], {}), context, new Date());

    const text = render(outcome.data, outcome.view, { json: false, color: plain });
    expect(text).toMatch(/outcome:\s+ok/);
    expect(text).toMatch(/detail:\s+logged in as mailer/);
    expect(outcome.failure).toBeUndefined();
  });

  it.each(["rejected", "unreachable", "failed"] as const)(
    "fails with CREDENTIAL_TEST_FAILED, a non-zero exit, when the outcome is %s",
    async (result) => {
      const { context } = answering({ ...base, ok: false, outcome: result, detail: "no" });

      const outcome = await credentialTest.execute(raw(["crd_1"], {}), context, new Date());

      expect(outcome.failure?.code).toBe("CREDENTIAL_TEST_FAILED");
      expect(outcome.failure?.message).toContain(result);
      expect(exitCodeOf(outcome.failure?.code ?? "")).not.toBe(0);
    },
  );

  it("prints the whole result with --json", async () => {
    const result = { ...base, ok: false, outcome: "rejected", detail: "login rejected" } as const;
    const { context } = answering(result);

    const outcome = await credentialTest.execute(raw(["crd_1"], {}), context, new Date());

    expect(JSON.parse(render(outcome.data, outcome.view, { json: true, color: plain }))).toEqual(
      result,
    );
  });
});
