import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { errorFromResponse } from "../../cli/client.ts";
import { CliError, exitCodeOf, formatReport, reportOf } from "../../cli/errors.ts";
import { commanderOutcome } from "../../cli/program.ts";
import { AppError } from "../../core/errors.ts";

describe("exitCodeOf", () => {
  it.each([
    ["VALIDATION_FAILED", 2],
    ["UNAUTHENTICATED", 3],
    ["FORBIDDEN", 4],
    ["NOT_FOUND", 5],
    ["CONFLICT", 6],
    ["ALREADY_INITIALIZED", 6],
    ["DAEMON_UNREACHABLE", 7],
    ["RATE_LIMITED", 8],
    ["NOT_CONFIGURED", 9],
    ["CONFIG_INVALID", 9],
    ["DATA_DIR_INSECURE", 9],
    ["AUDIT_CHAIN_BROKEN", 10],
    ["CANCELLED", 1],
    ["SOMETHING_NEWER", 1],
    ["INTERNAL", 1],
  ])("maps %s to %i", (code, exit) => {
    expect(exitCodeOf(code)).toBe(exit);
  });

  it("does not treat inherited object keys as codes", () => {
    expect(exitCodeOf("toString")).toBe(1);
  });
});

describe("formatReport", () => {
  it("prints code and message", () => {
    expect(formatReport({ code: "NOT_FOUND", message: "user not found" })).toBe(
      "error NOT_FOUND: user not found",
    );
  });

  it("appends the daemon's request id", () => {
    const report = { code: "CONFLICT", message: "slug taken", requestId: "req_1" };
    expect(formatReport(report)).toBe("error CONFLICT: slug taken (request req_1)");
  });
});

describe("reportOf", () => {
  it("keeps the code of an AppError", () => {
    expect(reportOf(new AppError("FORBIDDEN", "no"))).toEqual({ code: "FORBIDDEN", message: "no" });
  });

  it("keeps an unknown daemon code and its request id", () => {
    const error = new CliError("BRAND_NEW", "later feature", { requestId: "req_9" });
    expect(reportOf(error)).toEqual({
      code: "BRAND_NEW",
      message: "later feature",
      requestId: "req_9",
    });
  });

  it("reports a cancelled prompt as CANCELLED", () => {
    const error = new Error("User force closed the prompt");
    error.name = "ExitPromptError";
    expect(reportOf(error).code).toBe("CANCELLED");
  });

  it("reports anything else as INTERNAL", () => {
    expect(reportOf(new RangeError("boom")).code).toBe("INTERNAL");
  });
});

describe("errorFromResponse", () => {
  it("reads the daemon's error body", () => {
    const body = JSON.stringify({
      error: { code: "SCOPE_REQUIRED", message: "name the org", requestId: "req_2" },
    });
    const error = errorFromResponse(400, body);
    expect(error).toMatchObject({
      code: "SCOPE_REQUIRED",
      message: "name the org",
      requestId: "req_2",
    });
  });

  it("keeps a code the CLI does not know, which then exits 1", () => {
    const error = errorFromResponse(
      418,
      JSON.stringify({ error: { code: "TEAPOT", message: "no" } }),
    );
    expect(error.code).toBe("TEAPOT");
    expect(error.requestId).toBeUndefined();
    expect(exitCodeOf(error.code)).toBe(1);
  });

  it.each([
    [401, "UNAUTHENTICATED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [502, "INTERNAL"],
    [503, "UNAVAILABLE"],
  ])("falls back to a code from status %i when the body is not an error body", (status, code) => {
    expect(errorFromResponse(status, "<html>bad gateway</html>").code).toBe(code);
  });
});

describe("commanderOutcome", () => {
  it("lets --help and --version succeed", () => {
    expect(commanderOutcome(new CommanderError(0, "commander.helpDisplayed", "")).exit).toBe(0);
    expect(commanderOutcome(new CommanderError(0, "commander.version", "0.1.0")).exit).toBe(0);
  });

  it("reports usage mistakes as BAD_REQUEST, exit 2", () => {
    const error = new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'");
    expect(commanderOutcome(error)).toEqual({
      exit: 2,
      report: { code: "BAD_REQUEST", message: "unknown option '--x' (see --help)" },
    });
  });

  it("exits 2 when a command group is called without a subcommand", () => {
    expect(commanderOutcome(new CommanderError(1, "commander.help", "(outputHelp)")).exit).toBe(2);
  });
});
