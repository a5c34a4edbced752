import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { permissionTable } from "../core/permission-table.ts";

const ROOT = join(import.meta.dirname, "..");
const TABLE = /<!-- permission-table:start -->\n([\s\S]*?)\n<!-- permission-table:end -->/;

describe("documentation", () => {
  it.each(["README.md", "docs/security-model.md"])(
    "carries the role table of core/permissions.ts: %s",
    (file) => {
      const match = TABLE.exec(readFileSync(join(ROOT, file), "utf8"));
      expect(match?.[1]).toBe(permissionTable());
    },
  );

  it("gives exactly the two command lines, and .ci/run runs the test one", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([^\n]*)\n```/g)].map((m) => m[1]);
    const testLine = "bash scripts/ensure-chromium.sh && npm ci && npm test";

    expect(blocks).toEqual(["npm ci && npm run main", testLine]);
    expect(ci).toContain(`\n${testLine}\n`);
  });
});
