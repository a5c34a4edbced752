import { describe, expect, it } from "vitest";
import {
  baseUrl,
  duration,
  instant,
  orgScope,
  port,
  positiveInteger,
  type RawInput,
  role,
  scopes,
} from "../../cli/parse.ts";
import { AppError } from "../../core/errors.ts";

const raw = (options: Record<string, unknown>): RawInput => ({ args: [], options });

function failure(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : "not an AppError";
  }
  return undefined;
}

describe("orgScope", () => {
  it.each([
    ["--partner", { partner: "acme" }, "acme"],
    ["its alias --org", { org: "acme" }, "acme"],
    ["both naming the same org", { partner: "acme", org: "acme" }, "acme"],
    ["neither (a partner's own org)", {}, undefined],
  ])("accepts %s", (_label, options, expected) => {
    expect(orgScope(raw(options))).toBe(expected);
  });

  it("refuses --partner and --org naming different orgs", () => {
    expect(failure(() => orgScope(raw({ partner: "acme", org: "globex" })))).toBe(
      "VALIDATION_FAILED",
    );
  });
});

describe("role", () => {
  it("accepts a known role", () => {
    expect(role("partner_viewer")).toBe("partner_viewer");
  });

  it("refuses an unknown role, listing the known ones", () => {
    expect(() => role("superuser")).toThrow(/partner_admin/);
  });
});

describe("scopes", () => {
  it("trims, drops empties and repeats", () => {
    expect(scopes(" keys.read,,users.read, keys.read ")).toEqual(["keys.read", "users.read"]);
  });

  it("refuses a list with nothing in it", () => {
    expect(failure(() => scopes(" , "))).toBe("VALIDATION_FAILED");
  });
});

describe("duration", () => {
  it.each(["30d", "1h", "15m", "90s"])("accepts %s", (value) => {
    expect(duration(value, "--expires-in")).toBe(value);
  });

  it.each(["30", "1w", "-1h", "h"])("refuses %s", (value) => {
    expect(failure(() => duration(value, "--expires-in"))).toBe("VALIDATION_FAILED");
  });
});

describe("instant", () => {
  const now = new Date("2026-01-02T00:00:00.000Z");

  it("turns a duration into that long before now", () => {
    expect(instant("24h", "--since", now)).toBe("2026-01-01T00:00:00.000Z");
  });

  it("normalizes an ISO time to UTC", () => {
    expect(instant("2026-01-01T12:00:00+02:00", "--since", now)).toBe("2026-01-01T10:00:00.000Z");
  });

  it("refuses anything else", () => {
    expect(failure(() => instant("yesterday", "--since", now))).toBe("VALIDATION_FAILED");
  });
});

describe("numbers", () => {
  it.each(["0", "-1", "1.5", "ten"])("refuses --limit %s", (value) => {
    expect(failure(() => positiveInteger(value, "--limit"))).toBe("VALIDATION_FAILED");
  });

  it("accepts a port in range and refuses one above 65535", () => {
    expect(port("7420")).toBe(7420);
    expect(failure(() => port("70000"))).toBe("VALIDATION_FAILED");
  });
});

describe("baseUrl", () => {
  it("drops a trailing slash", () => {
    expect(baseUrl("http://127.0.0.1:7420/")).toBe("http://127.0.0.1:7420");
  });

  it.each(["127.0.0.1:7420", "ftp://host", "not a url"])("refuses %s", (value) => {
    expect(failure(() => baseUrl(value))).toBe("VALIDATION_FAILED");
  });
});
