import { Chalk } from "chalk";
import { describe, expect, it, vi } from "vitest";
import type { CredentialTest } from "../../cli/api/types.ts";
import { credentialTest } from "../../cli/commands/credential/test.ts";
import type { CommandContext } from "../../cli/context.ts";
import { exitCodeOf } from "../../cli/errors.ts";
import { render } from "../../cli/output/printer.ts";

const raw = (args: string[], options: Record<string, unknown>) => ({ args, options });

/** A context whose daemon call answers `result` and records the call. */
function answering(result: CredentialTest) {
  const call = vi.fn((_endpoint: unknown, _options: unknown) => Promise.resolve(result));
  const context = {
    session: () => Promise.resolve({ http: { call } }),
  } as unknown as CommandContext;
  return { context, call };
}

const plain = new Chalk({ level: 0 });
const base = { credentialId: "crd_1", orgId: "org_1", kind: "smtp" } as const;

describe("credential test", () => {
  it("calls POST /v1/credentials/{id}/test with the partner as ?org=", async () => {
    const { context, call } = answering({ ...base, ok: true, outcome: "ok", detail: "logged in" });

    await credentialTest.execute(raw(["crd_1"], { partner: "acme" }), context, new Date());

    expect(call).toHaveBeenCalledWith(
      { method: "POST", path: "/v1/credentials/{credentialId}/test" },
      { params: { credentialId: "crd_1" }, query: { org: "acme" } },
    );
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
