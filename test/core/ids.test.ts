import { describe, expect, it } from "vitest";
import { ID_PREFIXES, type IdKind, isId, newId } from "../../core/ids.ts";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const SAMPLE = 10_000;

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n += 1;
  return n;
}

describe("newId", () => {
  it.each([
    ["org", "org_"],
    ["user", "usr_"],
    ["key", "key_"],
    ["session", "ses_"],
    ["invitation", "inv_"],
    ["audit", "aud_"],
    ["request", "req_"],
  ] as const)("gives a %s id the prefix %s and 20 base32 characters", (kind, prefix) => {
    const id = newId(kind);

    expect(id.startsWith(prefix)).toBe(true);
    expect(id).toHaveLength(prefix.length + 20);
    expect([...id.slice(prefix.length)].every((ch) => ALPHABET.includes(ch))).toBe(true);
    expect(isId(kind, id)).toBe(true);
  });

  const kinds = Object.keys(ID_PREFIXES) as IdKind[];

  it.each(kinds)("gives a %s id a lower-case prefix no other kind shares", (kind) => {
    const id = newId(kind);
    const prefix = id.slice(0, id.indexOf("_"));

    expect(prefix).toMatch(/^[a-z]{3,4}$/);
    expect(isId(kind, id)).toBe(true);
    expect(kinds.filter((other) => other !== kind && isId(other, id))).toEqual([]);
  });

  it(`never repeats an id over ${SAMPLE} draws`, () => {
    const ids = Array.from({ length: SAMPLE }, () => newId("org"));

    expect(new Set(ids).size).toBe(SAMPLE);
  });

  it("does not grow a shared prefix between consecutive ids, as time-ordered ids would", () => {
    const ids = Array.from({ length: SAMPLE }, () => newId("user").slice(4));

    const shared = ids.slice(1).map((id, i) => commonPrefixLength(ids[i] ?? "", id));
    const mean = shared.reduce((sum, n) => sum + n, 0) / shared.length;

    // Random base32 shares a first character with probability 1/32.
    expect(mean).toBeLessThan(0.1);
    expect(Math.max(...shared)).toBeLessThan(6);
  });

  it("is not issued in sorted order", () => {
    const ids = Array.from({ length: 1000 }, () => newId("key"));

    expect(ids).not.toEqual([...ids].sort());
  });

  it("spreads its first random character over the whole alphabet", () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < SAMPLE; i += 1) {
      const ch = newId("audit").charAt(4);
      firsts.set(ch, (firsts.get(ch) ?? 0) + 1);
    }

    expect([...firsts.keys()].sort().join("")).toBe(ALPHABET);
    // Expected about 312 each; a generator stuck on part of the alphabet falls far outside.
    for (const count of firsts.values()) expect(count).toBeGreaterThan(200);
  });
});

describe("isId", () => {
  const orgId = newId("org");
  const body = orgId.slice(4);

  it.each([
    ["an id of the named kind", "org", orgId, true],
    ["an id of another kind", "user", orgId, false],
    ["the right prefix with a foreign one in front", "org", `x${orgId}`, false],
    ["an upper-case body", "org", "org_ABCDEFGHJKMNPQRSTVWX", false],
    ["a body one character short", "org", orgId.slice(0, -1), false],
    ["a body one character long", "org", `${orgId}a`, false],
    ["the letter i, excluded from Crockford base32", "org", `org_i${body.slice(1)}`, false],
    ["the letter l, excluded from Crockford base32", "org", `org_l${body.slice(1)}`, false],
    ["the letter o, excluded from Crockford base32", "org", `org_o${body.slice(1)}`, false],
    ["the letter u, excluded from Crockford base32", "org", `org_u${body.slice(1)}`, false],
    ["a trailing newline", "org", `${orgId}\n`, false],
    ["a missing separator", "org", `org${body}`, false],
    ["a dash instead of the underscore", "org", `org-${body}`, false],
    ["an empty string", "org", "", false],
    ["a prefix alone", "org", "org_", false],
    ["a path-traversal attempt", "org", "org_../../etc/passwdxxxx", false],
  ] as const)("judges %s (as kind %s) valid: %s", (_label, kind: IdKind, value, expected) => {
    expect(isId(kind, value)).toBe(expected);
  });
});
