import { describe, expect, it } from "vitest";
import { resolveConnection, resolveUrl } from "../../cli/connection.ts";
import { AppError } from "../../core/errors.ts";

const file = {
  current: "prod",
  profiles: {
    prod: { url: "https://partneros.example", token: "pos_sess_prod" },
    local: { url: "http://127.0.0.1:7420", token: "pos_sess_local" },
    loggedOut: { url: "http://127.0.0.1:7420" },
  },
};

describe("resolveConnection", () => {
  it("uses the current profile by default", () => {
    expect(resolveConnection(file, undefined, {})).toEqual({
      profileName: "prod",
      url: "https://partneros.example",
      token: "pos_sess_prod",
      tokenFromProfile: true,
    });
  });

  it("uses the profile named by --profile", () => {
    expect(resolveConnection(file, "local", {}).token).toBe("pos_sess_local");
  });

  it("lets PARTNEROS_URL and PARTNEROS_TOKEN override the profile", () => {
    const env = { PARTNEROS_URL: "http://ci:7420", PARTNEROS_TOKEN: "pos_key_ci" };
    expect(resolveConnection(file, undefined, env)).toMatchObject({
      url: "http://ci:7420",
      token: "pos_key_ci",
      tokenFromProfile: false,
    });
  });

  it("works from the environment alone, with no profile file", () => {
    const connection = resolveConnection({ profiles: {} }, undefined, {
      PARTNEROS_TOKEN: "pos_key_ci",
    });
    expect(connection.url).toBe("http://127.0.0.1:7420");
  });

  it.each([
    ["no profile file and no env", { profiles: {} }, undefined],
    ["an unknown --profile", file, "staging"],
    ["a profile without a token", file, "loggedOut"],
  ])("answers NOT_CONFIGURED for %s", (_label, profiles, flag) => {
    let error: unknown;
    try {
      resolveConnection(profiles, flag, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("NOT_CONFIGURED");
    expect((error as AppError).message).toContain("partneros init");
  });
});

describe("resolveUrl", () => {
  it("needs no token", () => {
    expect(resolveUrl(file, "loggedOut", {})).toBe("http://127.0.0.1:7420");
  });

  it("defaults to the local daemon", () => {
    expect(resolveUrl({ profiles: {} }, undefined, {})).toBe("http://127.0.0.1:7420");
  });
});
