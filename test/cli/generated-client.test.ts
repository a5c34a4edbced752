import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type OperationKey, permissionOf } from "../../cli/api/operations.ts";
import { OPERATION_PERMISSIONS } from "../../cli/api/schema.gen.ts";
import { defineCommand } from "../../cli/commands/define.ts";
import { COMMAND_ENDPOINTS } from "../../cli/commands/index.ts";
import { isPermission } from "../../core/permissions.ts";
import {
  clientSource,
  currentDocument,
  GENERATED_CLIENT_PATH,
  operationPermissions,
} from "../../scripts/client-source.ts";

const committed = () =>
  readFileSync(new URL(`../../${GENERATED_CLIENT_PATH}`, import.meta.url), "utf8");

describe("the generated client", () => {
  it("matches the routes in this checkout", async () => {
    const fresh = await clientSource(await currentDocument());
    // A plain boolean first, so the failure says what to do rather than dumping 5,000 lines.
    const same = fresh === committed();
    expect(same, `${GENERATED_CLIENT_PATH} is stale: run npm run client:generate`).toBe(true);
  });

  it("maps every operation to a catalog permission or public", () => {
    expect(Object.keys(OPERATION_PERMISSIONS)).toContain("GET /v1/deals");
    for (const [operation, permission] of Object.entries(OPERATION_PERMISSIONS)) {
      expect(permission === "public" || isPermission(permission), operation).toBe(true);
    }
  });

  it("is where every command's pre-flight permission comes from", () => {
    const table: Record<string, string> = OPERATION_PERMISSIONS;
    for (const entry of COMMAND_ENDPOINTS) {
      if (entry.path === "/openapi.json") continue;
      const declared = table[`${entry.method} ${entry.path}`];
      expect(entry.permission ?? "public", entry.command).toBe(declared);
    }
  });

  it("refuses a document with an operation that names no permission", () => {
    const document = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/v1/x": { get: { responses: {} } } },
    };
    expect(() => operationPermissions(document)).toThrow("GET /v1/x carries no x-permission");
  });

  it("gives a command its operation's permission, or none for a public one", () => {
    const command = (operation: OperationKey) =>
      defineCommand({
        name: "x",
        summary: "x",
        operation,
        parse: () => ({}),
        run: async () => ({}),
        view: () => [],
      });

    expect(command("GET /v1/deals").permission).toBe("deals.read");
    expect(command("POST /v1/tenants/{tenant}/resume").permission).toBe("tenants.suspend");
    expect(command("POST /v1/auth/login").permission).toBeUndefined();
    expect(permissionOf("GET /openapi.json")).toBeUndefined();
  });
});
