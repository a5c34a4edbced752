import { describe, expect, it } from "vitest";
import {
  baseUrl,
  calendarDate,
  commaList,
  currency,
  duration,
  instant,
  majorAmount,
  orgScope,
  pageLimit,
  port,
  positiveInteger,
  type RawInput,
  role,
  scopes,
  sortKey,
  stage,
  stringList,
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

describe("calendarDate", () => {
  it("accepts a real date", () => {
    expect(calendarDate(" 2017-02-28 ", "--since")).toBe("2017-02-28");
  });

  it.each(["2017-02-29", "2017-2-1", "2017-02-01T00:00:00Z", "yesterday"])("refuses %s", (v) => {
    expect(failure(() => calendarDate(v, "--since"))).toBe("VALIDATION_FAILED");
  });
});

describe("money", () => {
  it.each([
    ["12.50", "USD", 1250],
    ["12.5", "USD", 1250],
    ["4821", "USD", 482_100],
    ["0", "USD", 0],
    ["1200", "JPY", 1200],
  ])("reads %s %s as %i minor units", (text, code, minor) => {
    expect(majorAmount(text, code, "--price")).toBe(minor);
  });

  it.each([
    ["-1", "USD"],
    ["12.505", "USD"],
    ["1,200", "USD"],
    ["12.5", "JPY"],
  ])("refuses %s %s", (text, code) => {
    expect(failure(() => majorAmount(text, code, "--price"))).toBe("VALIDATION_FAILED");
  });

  it("upper-cases a currency code and refuses an unknown one", () => {
    expect(currency("usd")).toBe("USD");
    expect(failure(() => currency("XYZ"))).toBe("VALIDATION_FAILED");
  });
});

describe("listing options", () => {
  it("takes a sort field with or without - and refuses others", () => {
    expect(sortKey("-amount", ["amount", "createdAt"])).toBe("-amount");
    expect(sortKey("createdAt", ["amount", "createdAt"])).toBe("createdAt");
    expect(failure(() => sortKey("+amount", ["amount"]))).toBe("VALIDATION_FAILED");
  });

  it("caps --limit at the daemon's page size of 500", () => {
    expect(pageLimit("500")).toBe(500);
    expect(failure(() => pageLimit("501"))).toBe("VALIDATION_FAILED");
  });

  it("accepts the four deal stages as spelled", () => {
    expect(stage("Won")).toBe("Won");
    expect(failure(() => stage("won"))).toBe("VALIDATION_FAILED");
  });

  it("reads a comma list and a repeated option", () => {
    expect(commaList("a, b,,a", "--partners")).toEqual(["a", "b"]);
    expect(failure(() => commaList(" ,", "--partners"))).toBe("VALIDATION_FAILED");
    expect(stringList(raw({ map: ["a=b", "c=d"] }), "map")).toEqual(["a=b", "c=d"]);
    expect(stringList(raw({}), "map")).toEqual([]);
  });
});
