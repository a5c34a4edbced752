import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { formatReport } from "../../cli/errors.ts";
import { colorEnabled } from "../../cli/output/color.ts";
import { render } from "../../cli/output/printer.ts";
import { formatFields, formatTable } from "../../cli/output/table.ts";
import { cell, fields, table, text } from "../../cli/output/view.ts";

const plain = new Chalk({ level: 0 });

describe("formatTable", () => {
  it("aligns columns under upper-case headers without trailing spaces", () => {
    const out = formatTable(
      ["id", "slug", "status"],
      [
        ["org_1", "acme", "active"],
        ["org_22", "b", "suspended"],
      ],
    );
    expect(out).toBe(
      ["ID      SLUG  STATUS", "org_1   acme  active", "org_22  b     suspended"].join("\n"),
    );
  });

  it("does not count header styling towards column widths", () => {
    const bold = { header: (t: string) => `<b>${t}</b>` };
    const styled = formatTable(["a", "b"], [["xx", "y"]], bold);
    const unstyled = styled.replaceAll("<b>", "").replaceAll("</b>", "");
    expect(unstyled).toBe(formatTable(["a", "b"], [["xx", "y"]]));
  });

  it("shows absent values as a dash and lists comma-separated", () => {
    expect(formatTable(["a", "b", "c"], [[null, undefined, ["x", "y"]]])).toBe(
      "A  B  C\n-  -  x,y",
    );
  });
});

describe("cell", () => {
  it.each([
    ["null", null, "-"],
    ["empty string", "", "-"],
    ["empty list", [], "-"],
    ["number", 42, "42"],
    ["object", { a: 1 }, '{"a":1}'],
  ])("renders %s", (_label, value, expected) => {
    expect(cell(value)).toBe(expected);
  });

  // Found by the outside trial: a partner's customer name recoloured and forged operator output.
  it.each([
    ["an ANSI colour", "Evil\u001b[31mRED", "Evil\\u001b[31mRED"],
    ["a window-title OSC", "\u001b]0;TITLE\u0007", "\\u001b]0;TITLE\\u0007"],
    ["a forged row", "ok\r\nfake  line", "ok\\u000d\\u000afake  line"],
    ["a C1 control", "a\u009bb", "a\\u009bb"],
    ["a right-to-left override", "invoice\u202egpj.exe", "invoice\\u202egpj.exe"],
  ])("shows %s in partner text as an escape, never raw", (_label, value, expected) => {
    expect(cell(value)).toBe(expected);
    expect(cell([value])).toBe(expected);
    const codes = [...cell({ name: value })].map((char) => char.codePointAt(0) ?? 0);
    expect(codes.filter((code) => code < 0x20 || (code >= 0x7f && code <= 0x9f))).toEqual([]);
    expect(codes).not.toContain(0x202e);
  });
});

describe("formatFields", () => {
  it("aligns values after the labels", () => {
    expect(
      formatFields([
        ["id", "usr_1"],
        ["role", "owner"],
      ]),
    ).toBe("id:    usr_1\nrole:  owner");
  });
});

describe("render", () => {
  const view = [table(["id"], [["k1"]]), text("Token, shown this once:"), text("pos_key_x")];

  it("prints the data as JSON with --json and ignores the view", () => {
    const data = { id: "k1", token: "pos_key_x" };
    expect(render(data, view, { json: true, color: plain })).toBe(
      `${JSON.stringify(data, null, 2)}\n`,
    );
  });

  it("separates blocks by a blank line and keeps consecutive text together", () => {
    expect(render({}, view, { json: false, color: plain })).toBe(
      "ID\nk1\n\nToken, shown this once:\npos_key_x\n",
    );
  });

  it("escapes control characters in text and error lines but keeps their line breaks", () => {
    const out = render({}, [text("line one\nname \u001b[2J")], { json: false, color: plain });
    expect(out).toBe("line one\nname \\u001b[2J\n");
    expect(formatReport({ code: "NOT_FOUND", message: "no \u001b[31mred" })).toBe(
      "error NOT_FOUND: no \\u001b[31mred",
    );
  });

  it("says (none) for an empty table", () => {
    expect(render([], [table(["id"], [])], { json: false, color: plain })).toBe("(none)\n");
  });

  it("renders fields blocks", () => {
    expect(render({}, [fields([["a", 1]])], { json: false, color: plain })).toBe("a:  1\n");
  });
});

describe("colorEnabled", () => {
  it.each([
    ["a terminal", {}, true, true],
    ["a pipe", {}, false, false],
    ["NO_COLOR on a terminal", { NO_COLOR: "1" }, true, false],
    ["an empty NO_COLOR", { NO_COLOR: "" }, true, true],
    ["TERM=dumb", { TERM: "dumb" }, true, false],
    ["FORCE_COLOR on a pipe", { FORCE_COLOR: "1" }, false, true],
    ["NO_COLOR beating FORCE_COLOR", { NO_COLOR: "1", FORCE_COLOR: "1" }, true, false],
  ])("for %s", (_label, env, isTTY, expected) => {
    expect(colorEnabled(env, { isTTY })).toBe(expected);
  });
});
