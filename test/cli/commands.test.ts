import { describe, expect, it } from "vitest";
import type { Me } from "../../cli/api/types.ts";
import { daemonAddress, localUrl } from "../../cli/commands/daemon/address.ts";
import { COMMAND_ENDPOINTS, COMMANDS } from "../../cli/commands/index.ts";
import { refusalFor } from "../../cli/preflight.ts";
import { isPermission } from "../../core/permissions.ts";

const PUBLIC_PATHS = [
  "/healthz",
  "/readyz",
  "/openapi.json",
  "/v1/auth/login",
  "/v1/invitations/accept",
];

describe("command table", () => {
  it("names every command once", () => {
    const names = COMMANDS.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("declares a known permission for every authenticated endpoint", () => {
    for (const entry of COMMAND_ENDPOINTS) {
      if (PUBLIC_PATHS.includes(entry.path)) {
        expect(entry.permission, entry.command).toBeNull();
      } else {
        expect(entry.permission !== null && isPermission(entry.permission), entry.command).toBe(
          true,
        );
      }
    }
  });

  it("lists the operation behind `user invite`", () => {
    expect(COMMAND_ENDPOINTS).toContainEqual({
      command: "user invite",
      method: "POST",
      path: "/v1/users",
      permission: "users.invite",
    });
  });
});

describe("permission pre-flight", () => {
  const viewer: Me = {
    actor: {
      kind: "user",
      id: "usr_1",
      orgId: "org_1",
      orgSlug: "acme",
      accountType: "partner",
      role: "partner_viewer",
      credentialId: "ses_1",
    },
    permissions: ["me.read", "users.read"],
  };

  it("lets a held permission through", () => {
    expect(refusalFor(viewer, "users.read")).toBeUndefined();
  });

  it("refuses with FORBIDDEN naming role, org and permission", () => {
    const refusal = refusalFor(viewer, "users.invite");
    expect(refusal?.code).toBe("FORBIDDEN");
    expect(refusal?.message).toBe("your role partner_viewer (org acme) lacks users.invite");
  });
});

describe("daemon address", () => {
  it.each([
    ["the defaults", {}, {}, undefined, "127.0.0.1", 7420],
    [
      "the flags",
      { host: "0.0.0.0", port: 9000 },
      { PARTNEROS_PORT: "8000" },
      undefined,
      "0.0.0.0",
      9000,
    ],
    [
      "the environment",
      {},
      { PARTNEROS_HOST: "::1", PARTNEROS_PORT: "8000" },
      undefined,
      "::1",
      8000,
    ],
    ["a local profile URL", {}, {}, "http://127.0.0.1:7555", "127.0.0.1", 7555],
    ["not a remote profile URL", {}, {}, "https://partneros.example:7555", "127.0.0.1", 7420],
  ])("comes from %s", (_label, flags, env, profileUrl, host, port) => {
    expect(daemonAddress(flags, env, profileUrl)).toEqual({ host, port });
  });

  it.each([
    [{ host: "127.0.0.1", port: 7420 }, "http://127.0.0.1:7420"],
    [{ host: "0.0.0.0", port: 7420 }, "http://127.0.0.1:7420"],
    [{ host: "::", port: 7420 }, "http://[::1]:7420"],
    [{ host: "::1", port: 80 }, "http://[::1]:80"],
  ])("is reached locally at the right URL", (address, url) => {
    expect(localUrl(address)).toBe(url);
  });
});
