import { describe, expect, it } from "vitest";
import { PEER_TEXT_LIMIT, sanitizerFor } from "../../core/credential-checks/sanitize.ts";

const PASSWORD = "Tr0ub4dor&3-horse";
const USER = "mailer";
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const clean = sanitizerFor([PASSWORD, `\0${USER}\0${PASSWORD}`]);

describe("peer text of a credential test", () => {
  it.each([
    ["raw", PASSWORD],
    ["upper-cased", PASSWORD.toUpperCase()],
    ["base64 (AUTH LOGIN)", b64(PASSWORD)],
    ["base64url", Buffer.from(PASSWORD).toString("base64url")],
    ["URL-encoded", encodeURIComponent(PASSWORD)],
    ["SASL PLAIN", b64(`\0${USER}\0${PASSWORD}`)],
    ["SASL PLAIN with an authzid", b64(`${USER}\0${USER}\0${PASSWORD}`)],
    ["inside longer base64, offset by one byte", b64(`x${PASSWORD}yz`)],
    ["inside longer base64, offset by two bytes", b64(`xy${PASSWORD}z`)],
    ["split by a line break", `${PASSWORD.slice(0, 5)}\r\n${PASSWORD.slice(5)}`],
  ])("loses the secret when the peer sends it %s", (_label, form) => {
    const out = clean.peer(`535 no: ${form} (try again)`);

    expect(out).toContain("[redacted]");
    for (const fragment of [PASSWORD, PASSWORD.toUpperCase(), b64(PASSWORD).slice(2, 14)]) {
      expect(out).not.toContain(fragment);
    }
  });

  it("removes control and format characters, keeping the words apart", () => {
    expect(clean.peer("535 5.7.8\r\nbad\u0007 login\u202e here\t")).toBe(
      "535 5.7.8 bad login here",
    );
  });

  it(`is cut to ${PEER_TEXT_LIMIT} characters`, () => {
    const out = clean.peer("x".repeat(1000));

    expect(out).toBe(`${"x".repeat(PEER_TEXT_LIMIT)}…`);
  });

  it("leaves text without a secret as it was", () => {
    expect(clean.peer("535 Authentication credentials invalid")).toBe(
      "535 Authentication credentials invalid",
    );
  });
});
