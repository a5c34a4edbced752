import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { profilesPath, readProfiles, writeProfiles } from "../../cli/profiles.ts";
import { AppError } from "../../core/errors.ts";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "partneros-cli-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const sample = {
  current: "default",
  profiles: {
    default: { url: "http://127.0.0.1:7420", token: "pos_sess_x", dataDir: "/srv/partneros" },
  },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : "not an AppError";
  }
  return undefined;
}

describe("profilesPath", () => {
  it("prefers PARTNEROS_CONFIG_DIR", () => {
    expect(profilesPath({ PARTNEROS_CONFIG_DIR: "/c", XDG_CONFIG_HOME: "/x" })).toBe(
      "/c/profiles.json",
    );
  });

  it("falls back to XDG_CONFIG_HOME, then ~/.config", () => {
    expect(profilesPath({ XDG_CONFIG_HOME: "/x", HOME: "/h" })).toBe("/x/partneros/profiles.json");
    expect(profilesPath({ HOME: "/h" })).toBe("/h/.config/partneros/profiles.json");
  });
});

describe("profile store", () => {
  it("creates the directory 0700 and the file 0600", () => {
    const path = join(root, "config", "partneros", "profiles.json");
    writeProfiles(path, sample);
    expect(statSync(join(root, "config", "partneros")).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("reads back what it wrote", () => {
    const path = join(root, "profiles.json");
    writeProfiles(path, sample);
    expect(readProfiles(path)).toEqual(sample);
  });

  it("leaves no temp file behind when it overwrites", () => {
    const path = join(root, "profiles.json");
    writeProfiles(path, sample);
    writeProfiles(path, { profiles: {} });
    expect(readdirSync(root)).toEqual(["profiles.json"]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("treats a missing file as no profiles", () => {
    expect(readProfiles(join(root, "absent.json"))).toEqual({ profiles: {} });
  });

  it.each([
    ["group-readable", 0o640],
    ["world-readable", 0o604],
    ["group-writable", 0o620],
  ])("refuses a %s file with CONFIG_INVALID and a chmod hint", (_label, mode) => {
    const path = join(root, "profiles.json");
    writeProfiles(path, sample);
    chmodSync(path, mode);
    expect(codeOf(() => readProfiles(path))).toBe("CONFIG_INVALID");
    expect(() => readProfiles(path)).toThrow(`chmod 600 ${path}`);
  });

  it.each([
    ["not JSON", "{"],
    ["no profiles object", "{}"],
    ["a profile without url", '{"profiles":{"a":{"token":"t"}}}'],
    ["a current that is not a string", '{"current":1,"profiles":{}}'],
  ])("refuses a file that is %s", (_label, text) => {
    const path = join(root, "profiles.json");
    writeFileSync(path, text, { mode: 0o600 });
    expect(codeOf(() => readProfiles(path))).toBe("CONFIG_INVALID");
  });
});
