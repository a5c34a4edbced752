import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { credentialSet } from "../../cli/commands/credential/set.ts";
import type { CommandContext } from "../../cli/context.ts";
import type { RawInput } from "../../cli/parse.ts";
import { fakeDaemon } from "./fake-daemon.ts";

const raw = (options: Record<string, unknown>): RawInput => ({ args: [], options });
const smtp = { partner: "acme", name: "mail", kind: "smtp", host: "h", port: "587", username: "u" };

/** A context whose daemon records what the CLI sends. */
function recordingContext(stdin: string, isTTY = false) {
  const daemon = fakeDaemon(() => Response.json({ id: "crd_x", settings: {}, secrets: {} }));
  const input = Object.assign(Readable.from([stdin]), { isTTY });
  const context = {
    runtime: { terminal: { input, output: process.stderr } },
    session: () => Promise.resolve({ http: daemon.http }),
  } as unknown as CommandContext;
  return { context, requests: daemon.sent, sent: () => daemon.sent.map((r) => r.body) };
}

describe("credential set", () => {
  it("reads secret values from stdin and sends them only in the body", async () => {
    const { context, sent, requests } = recordingContext("s3cret-smtp-pass\n");

    await credentialSet.execute(raw({ ...smtp, secretsStdin: true }), context, new Date());

    expect(sent()).toEqual([
      {
        name: "mail",
        kind: "smtp",
        settings: { host: "h", port: 587, username: "u", tlsMode: "starttls" },
        secrets: { password: "s3cret-smtp-pass" },
      },
    ]);
    expect(requests.map((request) => request.target)).toEqual(["/v1/credentials?org=acme"]);
  });

  it("reads the oauth secrets in their documented order, the refresh token optional", async () => {
    const { context, sent } = recordingContext("access-1\nclient-secret-2\n");
    const options = {
      partner: "acme",
      name: "crm",
      kind: "oauth",
      tokenUrl: "https://auth.example/token",
      clientId: "abc",
      secretsStdin: true,
    };

    await credentialSet.execute(raw(options), context, new Date());

    expect((sent()[0] as { secrets: object }).secrets).toEqual({
      accessToken: "access-1",
      clientSecret: "client-secret-2",
    });
  });

  it.each([
    ["an unknown kind", { ...smtp, kind: "ldap" }, /--kind must be one of/],
    ["an smtp credential without a host", { ...smtp, host: undefined }, /--host is required/],
    ["a port that is not a number", { ...smtp, port: "smtp" }, /--port must be/],
  ])("refuses %s before touching stdin or the daemon", async (_label, options, message) => {
    const { context, requests } = recordingContext("pw\n");

    const run = credentialSet.execute(raw({ ...options, secretsStdin: true }), context, new Date());

    await expect(run).rejects.toMatchObject({ code: "VALIDATION_FAILED", message });
    expect(requests).toEqual([]);
  });

  it("refuses to prompt when stdin is not a terminal and --secrets-stdin is absent", async () => {
    const { context, requests } = recordingContext("", false);

    const run = credentialSet.execute(raw(smtp), context, new Date());

    await expect(run).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(requests).toEqual([]);
  });

  it("takes no secret value from a flag", () => {
    const flags = credentialSet.options.map((o) => o.flags).join(" ");
    expect(flags).not.toMatch(/--(password|key|access-token|client-secret|refresh-token)\b/);
  });
});
