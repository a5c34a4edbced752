import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Me } from "../../cli/api/types.ts";
import { daemonAddress, localUrl } from "../../cli/commands/daemon/address.ts";
import { COMMAND_ENDPOINTS, COMMANDS } from "../../cli/commands/index.ts";
import { refusalFor, refusalForAll } from "../../cli/preflight.ts";
import { buildProgram } from "../../cli/program.ts";
import { isPermission } from "../../core/permissions.ts";
import { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../../core/services/sessions.ts";
import { openStore } from "../../core/store/store.ts";
import { createApp } from "../../daemon/app.ts";

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

  it("names the permission the daemon's OpenAPI document names for every endpoint", async () => {
    const store = await openStore({ path: ":memory:" });
    try {
      const { document } = createApp({
        store,
        logger: pino({ level: "silent" }),
        loginPolicy: defaultLoginPolicy(3_600_000),
        keys: LiveKeyring.ephemeral(),
      });
      const paths = (document().paths ?? {}) as Record<string, Record<string, unknown>>;
      const documented = COMMAND_ENDPOINTS.map((entry) => {
        const operation = paths[entry.path]?.[entry.method.toLowerCase()] as
          | { "x-permission"?: string }
          | undefined;
        const permission = operation?.["x-permission"];
        return { ...entry, permission: permission === "public" ? null : (permission ?? "absent") };
      });
      const served = COMMAND_ENDPOINTS.filter((entry) => entry.path !== "/openapi.json");
      expect(documented.filter((entry) => entry.path !== "/openapi.json")).toEqual(served);
    } finally {
      await store.close();
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

describe("catalogue, customer, deal, query and import commands", () => {
  it.each([
    ["product list", "GET", "/v1/products", "products.read"],
    ["product add", "POST", "/v1/products", "products.write"],
    ["customer list", "GET", "/v1/customers", "customers.read"],
    ["customer show", "GET", "/v1/customers/{customerId}", "customers.read"],
    ["deal list", "GET", "/v1/deals", "deals.read"],
    ["deal show", "GET", "/v1/deals/{dealId}", "deals.read"],
    ["query deals", "POST", "/v1/cross-partner/deals/query", "cross_partner.read"],
    ["import", "POST", "/v1/tenants", "tenants.create"],
  ])("lists `%s` as %s %s needing %s", (command, method, path, permission) => {
    expect(COMMAND_ENDPOINTS).toContainEqual({ command, method, path, permission });
  });

  it("offers --csv on query deals, event push and event list only", () => {
    expect(COMMANDS.filter((command) => command.csv).map((command) => command.name)).toEqual([
      "event push",
      "event list",
      "query deals",
    ]);
  });

  it("collects --map and --file each time they are given", () => {
    const program = buildProgram({
      env: {},
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    const command = program.commands.find((c) => c.name() === "import");

    command?.parseOptions(["--map", "deals.amount=v", "--file", "deals=d.csv", "--map", "x.y=z"]);

    expect(command?.opts()).toMatchObject({
      map: ["deals.amount=v", "x.y=z"],
      file: ["deals=d.csv"],
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

  it("names every permission a many-step command lacks, at once", () => {
    const refusal = refusalForAll(
      viewer,
      ["users.read", "users.invite", "keys.create"],
      "to import",
    );
    expect(refusal?.code).toBe("FORBIDDEN");
    expect(refusal?.message).toBe(
      "your role partner_viewer (org acme) lacks users.invite, keys.create, needed to import",
    );
    expect(refusalForAll(viewer, ["me.read", "users.read"], "to import")).toBeUndefined();
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
