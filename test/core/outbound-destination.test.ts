import { describe, expect, it } from "vitest";
import { checkDestination, type RefusalReason } from "../../core/outbound/destination.ts";
import { DEFAULT_OUTBOUND, outboundPolicy } from "../../core/outbound/policy.ts";
import type { Resolver } from "../../core/outbound/resolve.ts";

/** A resolver that knows exactly these names; any other name fails like NXDOMAIN. */
function resolverOf(records: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    const found = records[host];
    if (!found) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

const PUBLIC_V4 = "93.184.216.34";
const PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946";
const dns = resolverOf({
  "hooks.partner.example": [PUBLIC_V4, PUBLIC_V6],
  "inward.partner.example": ["10.1.2.3"],
  "split.partner.example": [PUBLIC_V4, "192.168.1.20"],
  "metadata.partner.example": ["169.254.169.254"],
  "hooks.corp.internal": ["10.20.30.40"],
  "hooks.range.internal": ["10.20.30.41"],
  "other.corp.internal": ["10.20.30.42"],
});

describe("a destination refused under the default policy", () => {
  const rows: [label: string, url: string, reason: RefusalReason][] = [
    ["loopback", "https://127.0.0.1/hook", "private_address"],
    ["loopback, short form", "https://127.1/hook", "private_address"],
    ["loopback, hex and short", "https://0x7f.1/hook", "private_address"],
    ["loopback, one hex number", "https://0x7f000001/hook", "private_address"],
    ["loopback, one decimal number", "https://2130706433/hook", "private_address"],
    ["loopback, one octal number", "https://017700000001/hook", "private_address"],
    ["loopback, octal first part", "https://0177.0.0.1/hook", "private_address"],
    ["IPv6 loopback", "https://[::1]/hook", "private_address"],
    ["IPv6 loopback, written out", "https://[0:0:0:0:0:0:0:1]/hook", "private_address"],
    ["IPv4-mapped loopback, dotted", "https://[::ffff:127.0.0.1]/hook", "private_address"],
    ["IPv4-mapped loopback, hex", "https://[::ffff:7f00:1]/hook", "private_address"],
    ["IPv4-compatible loopback", "https://[::127.0.0.1]/hook", "private_address"],
    ["localhost", "https://localhost/hook", "private_address"],
    ["a name below localhost", "https://api.localhost/hook", "private_address"],
    ["unspecified IPv4", "https://0.0.0.0/hook", "private_address"],
    ["unspecified IPv6", "https://[::]/hook", "private_address"],
    ["RFC 1918 10/8", "https://10.0.0.1/hook", "private_address"],
    ["RFC 1918 172.16/12", "https://172.16.0.1/hook", "private_address"],
    ["RFC 1918 192.168/16", "https://192.168.0.1/hook", "private_address"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data", "private_address"],
    ["CGNAT", "https://100.64.0.1/hook", "private_address"],
    ["IPv6 link-local", "https://[fe80::1]/hook", "private_address"],
    ["IPv6 unique-local fd00::/8", "https://[fd00::1]/hook", "private_address"],
    ["IPv6 unique-local fc00::/8", "https://[fc00::1]/hook", "private_address"],
    ["multicast", "https://224.0.0.1/hook", "private_address"],
    ["broadcast", "https://255.255.255.255/hook", "private_address"],
    ["NAT64 of loopback", "https://[64:ff9b::7f00:1]/hook", "private_address"],
    ["6to4 of loopback", "https://[2002:7f00:1::]/hook", "private_address"],
    ["Teredo", "https://[2001::1]/hook", "private_address"],
    ["benchmarking range", "https://198.18.0.1/hook", "private_address"],
    ["documentation range", "https://192.0.2.1/hook", "private_address"],
    ["a trailing-dot name", "https://hooks.partner.example./hook", "invalid_host"],
    ["a trailing-dot localhost", "https://localhost./hook", "invalid_host"],
    ["a name resolving to a private address", "https://inward.partner.example/", "private_address"],
    ["a name resolving to cloud metadata", "https://metadata.partner.example/", "private_address"],
    [
      "a name with a public and a private address",
      "https://split.partner.example/",
      "private_address",
    ],
    ["an unresolvable name", "https://nowhere.partner.example/hook", "unresolved"],
    ["http to a public host", "http://hooks.partner.example/hook", "https_required"],
    ["http to a public address", `http://${PUBLIC_V4}/hook`, "https_required"],
    ["userinfo with a password", "https://user:pass@hooks.partner.example/", "userinfo"],
    ["userinfo without a password", "https://user@hooks.partner.example/", "userinfo"],
    ["an empty userinfo", "https://@hooks.partner.example/", "userinfo"],
    ["an ftp URL", "ftp://hooks.partner.example/hook", "scheme_not_allowed"],
    ["a file URL", "file:///etc/passwd", "scheme_not_allowed"],
    ["a javascript URL", "javascript:alert(1)", "scheme_not_allowed"],
    ["a relative URL", "/hook", "invalid_url"],
    ["a scheme-relative URL", "//hooks.partner.example/hook", "invalid_url"],
    ["https without slashes", "https:hooks.partner.example", "invalid_url"],
    ["a backslash after the scheme", "https:\\\\hooks.partner.example/", "invalid_url"],
    ["a newline inside the host", "https://hooks.partner\n.example/", "invalid_url"],
    ["a space", "https://hooks.partner.example/a b", "invalid_url"],
    ["an over-long URL", `https://hooks.partner.example/${"a".repeat(2048)}`, "invalid_url"],
    ["not a URL at all", "hooks.partner.example", "invalid_url"],
  ];

  it.each(rows)("refuses %s (%s) as %s", async (_label, url, reason) => {
    const result = await checkDestination(DEFAULT_OUTBOUND, url, { resolve: dns });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it("never asks DNS about a literal address or a refused URL", async () => {
    const asked = resolverOf({});

    for (const url of ["https://127.1/", "http://hooks.partner.example/", "ftp://a.example/"]) {
      await checkDestination(DEFAULT_OUTBOUND, url, { resolve: asked });
    }

    expect(asked.asked).toEqual([]);
  });

  it("fails closed when the lookup does not answer in time", async () => {
    const hanging: Resolver = () => new Promise(() => undefined);

    const result = await checkDestination(DEFAULT_OUTBOUND, "https://slow.partner.example/", {
      resolve: hanging,
      timeoutMs: 20,
    });

    expect(result).toMatchObject({ ok: false, reason: "unresolved" });
  });

  it("fails closed when the name has no address at all", async () => {
    const empty: Resolver = async () => [];

    const result = await checkDestination(DEFAULT_OUTBOUND, "https://empty.partner.example/", {
      resolve: empty,
    });

    expect(result).toMatchObject({ ok: false, reason: "unresolved" });
  });
});

describe("a destination accepted", () => {
  it("is an https URL whose every address is public, with the first as the target", async () => {
    const result = await checkDestination(DEFAULT_OUTBOUND, "https://Hooks.Partner.Example/in", {
      resolve: dns,
    });

    expect(result).toMatchObject({
      ok: true,
      target: { address: PUBLIC_V4, family: 4 },
    });
    expect(result.ok && result.url.href).toBe("https://hooks.partner.example/in");
  });

  it("is a public IPv6 literal over https", async () => {
    const result = await checkDestination(DEFAULT_OUTBOUND, `https://[${PUBLIC_V6}]:8443/`);

    expect(result).toMatchObject({ ok: true, target: { address: PUBLIC_V6, family: 6 } });
  });
});

describe("the operator allow-list", () => {
  const policy = outboundPolicy(["HOOKS.corp.internal.", "10.20.0.0/16", "127.0.0.1"]);

  it.each([
    ["https to an allowed name that resolves privately", "https://hooks.corp.internal/"],
    ["http to an allowed name", "http://hooks.corp.internal:8080/in"],
    ["http to an allowed name, written in upper case", "http://HOOKS.Corp.Internal/in"],
    ["https to a name resolving into an allowed range", "https://hooks.range.internal/"],
    ["http to an address literal in an allowed range", "http://10.20.1.2/in"],
    ["http to an allowed loopback address", "http://127.0.0.1:9000/in"],
  ])("accepts %s", async (_label, url) => {
    const result = await checkDestination(policy, url, { resolve: dns });

    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  const elsewhere = resolverOf({
    "x.hooks.corp.internal": ["10.99.0.1"],
    "hooks.range.internal": ["10.20.30.41"],
    "hooks.corp.internal": ["10.20.30.40"],
    "hooks.partner.example": [PUBLIC_V4],
  });

  it.each<[string, string, RefusalReason]>([
    [
      "http to a name inside a range (ranges admit literals)",
      "http://hooks.range.internal/",
      "https_required",
    ],
    [
      "a name below an allowed one (no wildcards)",
      "https://x.hooks.corp.internal/",
      "private_address",
    ],
    ["an allowed name with a trailing dot", "https://hooks.corp.internal./", "invalid_host"],
    ["userinfo, even for an allowed name", "http://a:b@hooks.corp.internal/", "userinfo"],
    ["an address next to the allowed one", "http://127.0.0.2/", "private_address"],
    ["http to a public host still", "http://hooks.partner.example/", "https_required"],
  ])("refuses %s as %s", async (_label, url, reason) => {
    const result = await checkDestination(policy, url, { resolve: elsewhere });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it("admits a name resolving into an allowed range, not one resolving beside it", async () => {
    const beside = resolverOf({ "other.corp.internal": ["10.21.0.1"] });

    const inside = await checkDestination(policy, "https://other.corp.internal/", {
      resolve: dns,
    });
    const outside = await checkDestination(policy, "https://other.corp.internal/", {
      resolve: beside,
    });

    expect(inside.ok).toBe(true);
    expect(outside).toMatchObject({ ok: false, reason: "private_address" });
  });
});
