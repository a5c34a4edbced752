import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../core/errors.ts";
import {
  assertPrivateDataDir,
  type DaemonConfig,
  DEFAULT_PORT,
  resolveConfig,
} from "../../daemon/config.ts";

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "partneros-config-"));
  dirs.push(dir);
  return dir;
}

/** A data dir whose partnerosd.json holds `settings`. */
function dataDirWithFile(settings: Record<string, unknown>): string {
  const dir = tempDir();
  writeFileSync(join(dir, "partnerosd.json"), JSON.stringify(settings));
  return dir;
}

function errorCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

type Flags = Parameters<typeof resolveConfig>[0];

interface Setting {
  name: string;
  flag: Flags;
  env: NodeJS.ProcessEnv;
  file: Record<string, unknown>;
  read: (config: DaemonConfig) => unknown;
  expected: { flag: unknown; env: unknown; file: unknown; default: unknown };
}

const SETTINGS: Setting[] = [
  {
    name: "host",
    flag: { host: "10.0.0.1" },
    env: { PARTNEROS_HOST: "10.0.0.2" },
    file: { host: "10.0.0.3" },
    read: (c) => c.host,
    expected: { flag: "10.0.0.1", env: "10.0.0.2", file: "10.0.0.3", default: "127.0.0.1" },
  },
  {
    name: "port",
    flag: { port: "7001" },
    env: { PARTNEROS_PORT: "7002" },
    file: { port: 7003 },
    read: (c) => c.port,
    expected: { flag: 7001, env: 7002, file: 7003, default: 7420 },
  },
  {
    name: "log level",
    flag: { logLevel: "debug" },
    env: { PARTNEROS_LOG_LEVEL: "warn" },
    file: { logLevel: "error" },
    read: (c) => c.logLevel,
    expected: { flag: "debug", env: "warn", file: "error", default: "info" },
  },
  {
    name: "session TTL",
    flag: { sessionTtlMs: "1h" },
    env: { PARTNEROS_SESSION_TTL: "2h" },
    file: { sessionTtl: "3h" },
    read: (c) => c.sessionTtlMs,
    expected: { flag: 3_600_000, env: 7_200_000, file: 10_800_000, default: 43_200_000 },
  },
  {
    name: "outbound allowance",
    flag: { outboundAllow: "10.0.0.1" },
    env: { PARTNEROS_OUTBOUND_ALLOW: "10.0.0.0/8, Hooks.Corp.Internal, 127.0.0.1" },
    file: { outboundAllow: "fd00::/8" },
    read: (c) => c.outboundAllow,
    expected: {
      flag: ["10.0.0.1/32"],
      env: ["10.0.0.0/8", "127.0.0.1/32", "hooks.corp.internal"],
      file: ["fd00::/8"],
      default: [],
    },
  },
  {
    name: "DNS resolver",
    flag: { dnsResolver: "127.0.0.1:5301" },
    env: { PARTNEROS_DNS_RESOLVER: "127.0.0.1:5302" },
    file: { dnsResolver: "[::1]:5303" },
    read: (c) => c.dnsResolver,
    expected: {
      flag: "127.0.0.1:5301",
      env: "127.0.0.1:5302",
      file: "[::1]:5303",
      default: undefined,
    },
  },
  {
    name: "domain re-check interval",
    flag: { domainRecheckMs: "30s" },
    env: { PARTNEROS_DOMAIN_RECHECK: "15m" },
    file: { domainRecheck: "2h" },
    read: (c) => c.domainRecheckMs,
    expected: { flag: 30_000, env: 900_000, file: 7_200_000, default: 3_600_000 },
  },
  {
    name: "platform hosts",
    flag: { platformHosts: "partners.example.com" },
    env: { PARTNEROS_PLATFORM_HOSTS: "Portal.Example.com, api.example.com" },
    file: { platformHosts: "console.example.com" },
    read: (c) => c.platformHosts,
    expected: {
      flag: ["partners.example.com"],
      env: ["portal.example.com", "api.example.com"],
      file: ["console.example.com"],
      default: [],
    },
  },
  {
    name: "console origins",
    flag: { consoleOrigins: "https://console.a.test,http://localhost:3000" },
    env: { PARTNEROS_CONSOLE_ORIGINS: "https://console.b.test, https://Console.C.Test:8443" },
    file: { consoleOrigins: ["https://console.d.test", "https://console.e.test"] },
    read: (c) => c.consoleOrigins,
    expected: {
      flag: ["https://console.a.test", "http://localhost:3000"],
      env: ["https://console.b.test", "https://console.c.test:8443"],
      file: ["https://console.d.test", "https://console.e.test"],
      default: [],
    },
  },
  {
    name: "webhook timeout",
    flag: { webhookTimeoutMs: "5s" },
    env: { PARTNEROS_WEBHOOK_TIMEOUT: "30s" },
    file: { webhookTimeout: "2m" },
    read: (c) => c.webhookTimeoutMs,
    expected: { flag: 5_000, env: 30_000, file: 120_000, default: 15_000 },
  },
  {
    name: "webhook concurrency",
    flag: { webhookConcurrency: "2" },
    env: { PARTNEROS_WEBHOOK_CONCURRENCY: "16" },
    file: { webhookConcurrency: 32 },
    read: (c) => c.webhookConcurrency,
    expected: { flag: 2, env: 16, file: 32, default: 8 },
  },
  {
    name: "webhook retry schedule",
    flag: { webhookRetrySchedule: "1s,2s" },
    env: { PARTNEROS_WEBHOOK_RETRY_SCHEDULE: "10s, 1m, 1h" },
    file: { webhookRetrySchedule: ["1m", "1d"] },
    read: (c) => c.webhookRetrySchedule,
    expected: {
      flag: [1_000, 2_000],
      env: [10_000, 60_000, 3_600_000],
      file: [60_000, 86_400_000],
      default: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    },
  },
];

const LAYERS = [
  ["flag", { flag: true, env: true, file: true }],
  ["env", { flag: false, env: true, file: true }],
  ["file", { flag: false, env: false, file: true }],
  ["default", { flag: false, env: false, file: false }],
] as const;

describe("resolveConfig precedence", () => {
  describe.each(SETTINGS)("for the $name", (setting) => {
    it.each(LAYERS)("takes the %s value over everything below it", (layer, present) => {
      const dataDir = dataDirWithFile(present.file ? setting.file : {});
      const flags = { dataDir, ...(present.flag ? setting.flag : {}) };
      const env = present.env ? setting.env : {};

      const config = resolveConfig(flags, env);

      expect(setting.read(config)).toEqual(setting.expected[layer]);
    });
  });

  it("defaults to loopback on port 7420", () => {
    const config = resolveConfig({ dataDir: tempDir() }, {});

    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(7420);
    expect(DEFAULT_PORT).toBe(7420);
  });

  it("takes the data dir from the flag over PARTNEROS_DATA_DIR, and reads the file there", () => {
    const flagged = dataDirWithFile({ port: 7101 });
    const fromEnv = dataDirWithFile({ port: 7102 });

    const config = resolveConfig({ dataDir: flagged }, { PARTNEROS_DATA_DIR: fromEnv });

    expect(config.dataDir).toBe(flagged);
    expect(config.port).toBe(7101);
  });

  it("reads the data dir from PARTNEROS_DATA_DIR and the file inside it", () => {
    const fromEnv = dataDirWithFile({ port: 7102 });

    const config = resolveConfig({}, { PARTNEROS_DATA_DIR: fromEnv });

    expect(config.dataDir).toBe(fromEnv);
    expect(config.port).toBe(7102);
  });

  it.each([
    ["the --config flag", (path: string) => [{ config: path }, {}] as const],
    ["PARTNEROS_CONFIG", (path: string) => [{}, { PARTNEROS_CONFIG: path }] as const],
  ])("reads an explicit config file named by %s", (_label, args) => {
    const dir = tempDir();
    const path = join(dir, "elsewhere.json");
    writeFileSync(path, JSON.stringify({ dataDir: dir, port: 7200, host: "127.0.0.2" }));
    const [flags, env] = args(path);

    const config = resolveConfig(flags, env);

    expect(config).toMatchObject({ dataDir: dir, port: 7200, host: "127.0.0.2" });
  });
});

describe("resolveConfig refuses", () => {
  it.each([
    ["an unknown setting", JSON.stringify({ port: 7420, listenAll: true })],
    ["a misspelt setting", JSON.stringify({ hostname: "0.0.0.0" })],
    ["the internal name of the TTL", JSON.stringify({ sessionTtlMs: "1h" })],
    ["a JSON array", JSON.stringify([{ port: 7420 }])],
    ["JSON null", "null"],
    ["text that is not JSON", "port = 7420"],
  ])("a config file holding %s with CONFIG_INVALID", (_label, content) => {
    const dir = tempDir();
    writeFileSync(join(dir, "partnerosd.json"), content);

    expect(errorCodeOf(() => resolveConfig({ dataDir: dir }, {}))).toBe("CONFIG_INVALID");
  });

  it("names the unknown setting in its message", () => {
    const dir = dataDirWithFile({ listenAll: true });

    expect(() => resolveConfig({ dataDir: dir }, {})).toThrow(/unknown setting listenAll/);
  });

  it.each([
    ["--config", (path: string) => [{ config: path }, {}] as const],
    ["PARTNEROS_CONFIG", (path: string) => [{}, { PARTNEROS_CONFIG: path }] as const],
  ])("an explicit config file named by %s that does not exist", (_label, args) => {
    const [flags, env] = args(join(tempDir(), "missing.json"));

    expect(errorCodeOf(() => resolveConfig(flags, env))).toBe("CONFIG_INVALID");
  });

  it.each([
    ["letters", "http"],
    ["a negative number", "-1"],
    ["a number above 65535", "65536"],
    ["a fraction", "80.5"],
    ["an empty value", ""],
    ["blanks", "  "],
    ["hexadecimal", "0x1f90"],
    ["exponent notation", "8e3"],
  ])("a port given as %s with CONFIG_INVALID", (_label, port) => {
    const dataDir = tempDir();

    const codes = [
      errorCodeOf(() => resolveConfig({ dataDir, port }, {})),
      errorCodeOf(() => resolveConfig({ dataDir }, { PARTNEROS_PORT: port })),
      errorCodeOf(() => resolveConfig({ dataDir: dataDirWithFile({ port }) }, {})),
    ];

    expect(codes).toEqual(["CONFIG_INVALID", "CONFIG_INVALID", "CONFIG_INVALID"]);
  });

  it.each([
    ["a log level it does not know", { logLevel: "verbose" }],
    ["a session TTL without a unit", { sessionTtlMs: "3600" }],
    ["a session TTL in weeks", { sessionTtlMs: "2w" }],
    ["an outbound allowance naming hosts by wildcard", { outboundAllow: "*.intranet.example" }],
    ["an outbound allowance with a bad prefix", { outboundAllow: "127.0.0.1, 10.0.0.0/40" }],
    ["a console origin with a path", { consoleOrigins: "https://console.test/app" }],
    ["a console origin with a trailing slash", { consoleOrigins: "https://console.test/" }],
    ["a console origin with a query", { consoleOrigins: "https://console.test?x=1" }],
    ["a console origin with a user", { consoleOrigins: "https://me@console.test" }],
    ["a console origin without a scheme", { consoleOrigins: "console.test" }],
    ["a console origin of another scheme", { consoleOrigins: "ftp://console.test" }],
    ["the null console origin", { consoleOrigins: "null" }],
    ["a wildcard console origin", { consoleOrigins: "*" }],
    ["a console origin with its default port", { consoleOrigins: "https://console.test:443" }],
    ["a DNS resolver naming a host", { dnsResolver: "dns.example:53" }],
    ["a DNS resolver with a port out of range", { dnsResolver: "127.0.0.1:70000" }],
    ["a domain re-check under a second", { domainRecheckMs: "0s" }],
    ["a console origin written as a wildcard", { consoleOrigins: "https://*.console.test" }],
    ["a webhook timeout under a second", { webhookTimeoutMs: "0s" }],
    ["a webhook timeout over two minutes", { webhookTimeoutMs: "3m" }],
    ["a webhook timeout without a unit", { webhookTimeoutMs: "15" }],
    ["a webhook concurrency of zero", { webhookConcurrency: "0" }],
    ["a webhook concurrency over 64", { webhookConcurrency: "65" }],
    ["a fractional webhook concurrency", { webhookConcurrency: "2.5" }],
    ["a retry schedule with a bad step", { webhookRetrySchedule: "5s,soon" }],
    ["a retry schedule with an empty step", { webhookRetrySchedule: "5s,,5m" }],
    ["a retry schedule step under a second", { webhookRetrySchedule: "0s" }],
    ["a retry schedule of 21 steps", { webhookRetrySchedule: Array(21).fill("1s").join(",") }],
  ])("%s with CONFIG_INVALID", (_label, flags) => {
    expect(errorCodeOf(() => resolveConfig({ dataDir: tempDir(), ...flags }, {}))).toBe(
      "CONFIG_INVALID",
    );
  });

  it.each([
    ["PARTNEROS_HOST", { PARTNEROS_HOST: "" }, (c: DaemonConfig) => c.host === "127.0.0.1"],
    ["PARTNEROS_PORT", { PARTNEROS_PORT: "" }, (c: DaemonConfig) => c.port === 7420],
  ])("to turn an empty %s into a wider bind than the default", (_label, env, isDefault) => {
    // An empty host binds every interface and an empty port a random one.
    const dataDir = tempDir();

    let outcome: string;
    try {
      outcome = isDefault(resolveConfig({ dataDir }, env)) ? "default" : "widened";
    } catch (error) {
      outcome = error instanceof AppError ? error.code : "crashed";
    }

    expect(["default", "CONFIG_INVALID"]).toContain(outcome);
  });
});

describe("assertPrivateDataDir", () => {
  function dirWithMode(mode: number): string {
    const dir = join(tempDir(), "data");
    mkdirSync(dir);
    chmodSync(dir, mode);
    return dir;
  }

  it.each([
    ["0755", 0o755],
    ["0750", 0o750],
    ["0711", 0o711],
    ["0701", 0o701],
    ["0770", 0o770],
    ["0707", 0o707],
  ])("refuses a data dir with mode %s as DATA_DIR_INSECURE", (_label, mode) => {
    const dir = dirWithMode(mode);

    expect(errorCodeOf(() => assertPrivateDataDir(dir))).toBe("DATA_DIR_INSECURE");
  });

  it("accepts a data dir with mode 0700", () => {
    const dir = dirWithMode(0o700);

    expect(() => assertPrivateDataDir(dir)).not.toThrow();
  });

  it("answers NOT_CONFIGURED for a data dir that does not exist", () => {
    expect(errorCodeOf(() => assertPrivateDataDir(join(tempDir(), "missing")))).toBe(
      "NOT_CONFIGURED",
    );
  });
});
