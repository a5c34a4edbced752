import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensurePrivateDir } from "../../cli/data-dir.ts";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "partneros-data-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("ensurePrivateDir", () => {
  it("creates a missing data dir with mode 0700", () => {
    const dir = join(root, "a", "data");
    ensurePrivateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("accepts an existing private dir", () => {
    const dir = join(root, "data");
    mkdirSync(dir, { mode: 0o700 });
    expect(() => ensurePrivateDir(dir)).not.toThrow();
  });

  it("refuses a dir that group or others can enter, with DATA_DIR_INSECURE", () => {
    const dir = join(root, "data");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(() => ensurePrivateDir(dir)).toThrow(
      expect.objectContaining({ code: "DATA_DIR_INSECURE" }),
    );
    expect(() => ensurePrivateDir(dir)).toThrow(`chmod 700 ${dir}`);
  });

  it("refuses a path that is a file", () => {
    const file = join(root, "file");
    writeFileSync(file, "");
    expect(() => ensurePrivateDir(file)).toThrow(
      expect.objectContaining({ code: "DATA_DIR_INSECURE" }),
    );
  });
});
