import { describe, expect, it } from "vitest";
import { AppError } from "../../core/errors.ts";
import {
  DEFAULT_OUTBOUND,
  describeAllowance,
  isAllowedAddress,
  isAllowedHostName,
  outboundPolicy,
} from "../../core/outbound/policy.ts";

describe("the default outbound policy", () => {
  it.each([
    ["loopback", "127.0.0.1"],
    ["loopback, anywhere in 127/8", "127.8.9.10"],
    ["RFC 1918 10/8", "10.1.2.3"],
    ["RFC 1918 172.16/12", "172.31.255.1"],
    ["RFC 1918 192.168/16", "192.168.0.10"],
    ["link-local (cloud metadata)", "169.254.169.254"],
    ["CGNAT", "100.64.0.1"],
    ["unspecified", "0.0.0.0"],
    ["this network", "0.1.2.3"],
    ["multicast", "224.0.0.251"],
    ["broadcast", "255.255.255.255"],
    ["IPv6 loopback", "::1"],
    ["IPv6 unspecified", "::"],
    ["IPv6 link-local", "fe80::1"],
    ["IPv6 unique-local", "fd12:3456::1"],
    ["IPv6 multicast", "ff02::1"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["NAT64 of a private address", "64:ff9b::a00:1"],
    // Found by the outside trial: ipaddr.js classes these deprecated forms as unicast.
    ["IPv4-compatible loopback", "::7f00:1"],
    ["IPv4-compatible public address", "::5db8:d822"],
    ["IPv6 site-local", "fec0::1"],
    ["not an address", "example.com"],
  ])("refuses %s (%s)", (_label, address) => {
    expect(isAllowedAddress(DEFAULT_OUTBOUND, address)).toBe(false);
  });

  it.each([
    ["a public IPv4 address", "93.184.216.34"],
    ["a public IPv6 address", "2606:2800:220:1:248:1893:25c8:1946"],
  ])("allows %s", (_label, address) => {
    expect(isAllowedAddress(DEFAULT_OUTBOUND, address)).toBe(true);
  });
});

describe("an operator's allowance", () => {
  it("lets exactly the named address through, also in its IPv4-mapped form", () => {
    const policy = outboundPolicy(["127.0.0.1"]);

    expect(isAllowedAddress(policy, "127.0.0.1")).toBe(true);
    expect(isAllowedAddress(policy, "::ffff:127.0.0.1")).toBe(true);
    expect(isAllowedAddress(policy, "127.0.0.2")).toBe(false);
    expect(isAllowedAddress(policy, "::1")).toBe(false);
  });

  it("lets a CIDR range through, IPv4 and IPv6 alike", () => {
    const policy = outboundPolicy(["10.20.0.0/16", "fd00::/8"]);

    expect(isAllowedAddress(policy, "10.20.30.40")).toBe(true);
    expect(isAllowedAddress(policy, "10.21.0.1")).toBe(false);
    expect(isAllowedAddress(policy, "fd12::1")).toBe(true);
    expect(isAllowedAddress(policy, "fe80::1")).toBe(false);
  });

  it("names hosts in one spelling: lower case, punycode, no trailing dot", () => {
    const policy = outboundPolicy(["Hooks.Corp.Internal.", "bücher.intranet"]);

    expect([...policy.hosts]).toEqual(["hooks.corp.internal", "xn--bcher-kva.intranet"]);
    expect(policy.allow).toEqual([]);
    expect(describeAllowance(policy)).toEqual(["hooks.corp.internal", "xn--bcher-kva.intranet"]);
  });

  it("does not let a named host admit its addresses to other names", () => {
    const policy = outboundPolicy(["hooks.corp.internal"]);

    expect(isAllowedAddress(policy, "10.0.0.1")).toBe(false);
    expect(isAllowedHostName(policy, "HOOKS.corp.internal")).toBe(true);
    expect(isAllowedHostName(policy, "x.hooks.corp.internal")).toBe(false);
  });

  it("reads back normalised", () => {
    expect(describeAllowance(outboundPolicy([" 127.0.0.1", "10.0.0.0/8", "::1"]))).toEqual([
      "127.0.0.1/32",
      "10.0.0.0/8",
      "::1/128",
    ]);
  });

  it.each([
    ["a wildcard host name", "*.intranet.example"],
    ["a host name with a bad label", "-intranet.example"],
    ["a host name with a path", "intranet.example/hooks"],
    ["a short IPv4 form", "10.1"],
    ["a prefix too long", "10.0.0.0/33"],
    ["a prefix that is not a number", "10.0.0.0/x"],
    ["two prefixes", "10.0.0.0/8/9"],
    ["an empty entry", ""],
  ])("refuses %s with CONFIG_INVALID", (_label, entry) => {
    expect(() => outboundPolicy([entry])).toThrow(AppError);
    expect(() => outboundPolicy([entry])).toThrow(/outboundAllow/);
  });
});
