import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseDuration } from "../core/clock.ts";
import { txtLookup } from "../core/domains/txt.ts";
import { AppError } from "../core/errors.ts";
import { describeAllowance, outboundPolicy } from "../core/outbound/policy.ts";
import { Secret } from "../core/secrets/secret.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "../core/webhooks/schedule.ts";

export interface DaemonConfig {
  dataDir: string;
  host: string;
  port: number;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  sessionTtlMs: number;
  /** Where the master keys come from; see `loadKeyring`. */
  masterKeys: MasterKeySource;
  /**
   * Addresses, CIDR ranges (`10.0.0.0/8`) and exact host names
   * (`hooks.corp.internal`) outside the public internet that credential tests
   * and webhooks may still reach, normalised; none by default.
   */
  outboundAllow: readonly string[];
  /** The DNS server domain proofs are looked up at ("host:port"); the system's when unset. */
  dnsResolver: string | undefined;
  /** How often each verified domain's proof is looked up again. */
  domainRecheckMs: number;
  /** The platform's own hostnames, never claimable as custom domains (nor names below them). */
  platformHosts: readonly string[];
  /**
   * Origins of operator consoles that browsers may call the API from
   * (`https://console.example.com`), serialized as browsers send them; none by default.
   */
  consoleOrigins: readonly string[];
  /** How long one webhook attempt may take (its lookup, and again its request). */
  webhookTimeoutMs: number;
  /** Webhook attempts in flight at once. */
  webhookConcurrency: number;
  /** Delays between a delivery's attempts; one more attempt than entries. */
  webhookRetrySchedule: readonly number[];
}

/**
 * The keyring's source, by precedence: the document itself in
 * PARTNEROS_MASTER_KEYS, a helper command in PARTNEROS_MASTER_KEY_COMMAND,
 * or a key file (`--master-key-file`, `masterKeyFile`, `<dataDir>/master.keys`).
 */
export type MasterKeySource =
  | { kind: "env"; document: Secret }
  | { kind: "command"; command: string; args: string[] }
  | { kind: "file"; path: string };

type Settings = Omit<
  DaemonConfig,
  | "masterKeys"
  | "outboundAllow"
  | "dnsResolver"
  | "platformHosts"
  | "consoleOrigins"
  | "webhookRetrySchedule"
> & {
  webhookRetrySchedule: string;
  masterKeyFile: string;
  outboundAllow: string;
  dnsResolver: string;
  platformHosts: string;
  consoleOrigins: string;
};
type Partial = { [K in keyof Settings]?: string | undefined };

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export const DEFAULT_PORT = 7420;
export const defaultDataDir = () => join(homedir(), ".partneros");

/**
 * Settles the daemon's settings: command-line flags first, then PARTNEROS_*
 * environment variables, then the config file, then defaults.
 */
export function resolveConfig(
  flags: Partial & { config?: string | undefined },
  env: NodeJS.ProcessEnv,
): DaemonConfig {
  const fromEnv: Partial = {
    dataDir: env.PARTNEROS_DATA_DIR,
    host: env.PARTNEROS_HOST,
    port: env.PARTNEROS_PORT,
    logLevel: env.PARTNEROS_LOG_LEVEL,
    sessionTtlMs: env.PARTNEROS_SESSION_TTL,
    outboundAllow: env.PARTNEROS_OUTBOUND_ALLOW,
    dnsResolver: env.PARTNEROS_DNS_RESOLVER,
    domainRecheckMs: env.PARTNEROS_DOMAIN_RECHECK,
    platformHosts: env.PARTNEROS_PLATFORM_HOSTS,
    consoleOrigins: env.PARTNEROS_CONSOLE_ORIGINS,
    webhookTimeoutMs: env.PARTNEROS_WEBHOOK_TIMEOUT,
    webhookConcurrency: env.PARTNEROS_WEBHOOK_CONCURRENCY,
    webhookRetrySchedule: env.PARTNEROS_WEBHOOK_RETRY_SCHEDULE,
  };
  const dataDirHint = flags.dataDir ?? fromEnv.dataDir ?? defaultDataDir();
  const configPath = flags.config ?? env.PARTNEROS_CONFIG ?? join(dataDirHint, "partnerosd.json");
  const fromFile = readConfigFile(
    configPath,
    flags.config !== undefined || env.PARTNEROS_CONFIG !== undefined,
  );
  const pick = (key: keyof Settings) => {
    const value = flags[key] ?? fromEnv[key] ?? fromFile[key];
    // An empty host would bind every interface and an empty port a random one.
    if (value !== undefined && value.trim() === "") {
      throw new AppError("CONFIG_INVALID", `setting ${key} is empty`);
    }
    return value;
  };

  const portText = pick("port") ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
    throw new AppError("CONFIG_INVALID", "port must be an integer from 0 to 65535");
  }
  const logLevel = pick("logLevel") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new AppError("CONFIG_INVALID", `log level must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const ttlText = pick("sessionTtlMs") ?? "12h";
  const sessionTtlMs = parseDuration(ttlText);
  if (sessionTtlMs === undefined) {
    throw new AppError("CONFIG_INVALID", "session TTL must look like 30m, 12h or 7d");
  }
  const dataDir = resolve(pick("dataDir") ?? defaultDataDir());
  const outboundAllow = (pick("outboundAllow") ?? "").split(",").filter((e) => e.trim() !== "");
  const recheckText = pick("domainRecheckMs") ?? "1h";
  const domainRecheckMs = parseDuration(recheckText);
  if (domainRecheckMs === undefined || domainRecheckMs < 1000) {
    throw new AppError("CONFIG_INVALID", "domain re-check must look like 30s, 15m or 1h");
  }
  const dnsResolver = pick("dnsResolver");
  // Checked now, so a bad resolver address stops start-up rather than the first check.
  if (dnsResolver !== undefined) txtLookup(dnsResolver);
  const platformHosts = (pick("platformHosts") ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== "");
  return {
    dataDir,
    host: pick("host") ?? "127.0.0.1",
    port,
    logLevel: logLevel as DaemonConfig["logLevel"],
    sessionTtlMs,
    masterKeys: masterKeySource(env, pick("masterKeyFile") ?? masterKeyPath(dataDir)),
    outboundAllow: describeAllowance(outboundPolicy(outboundAllow)),
    dnsResolver: dnsResolver?.trim(),
    domainRecheckMs,
    platformHosts,
    consoleOrigins: consoleOrigins(pick("consoleOrigins")),
    ...webhookDelivery(pick),
  };
}

const MAX_WEBHOOK_TIMEOUT_MS = 120_000;
const MAX_WEBHOOK_CONCURRENCY = 64;
const MAX_RETRY_STEPS = 20;

/** Timeout, concurrency and retry schedule of webhook delivery (see core/webhooks/). */
function webhookDelivery(pick: (key: keyof Settings) => string | undefined) {
  const timeoutMs = parseDuration(pick("webhookTimeoutMs") ?? "15s");
  if (timeoutMs === undefined || timeoutMs < 1000 || timeoutMs > MAX_WEBHOOK_TIMEOUT_MS) {
    throw new AppError("CONFIG_INVALID", "webhook timeout must be from 1s to 120s, like 15s");
  }
  const concurrencyText = pick("webhookConcurrency") ?? "8";
  const concurrency = Number(concurrencyText);
  if (
    !/^\d{1,2}$/.test(concurrencyText) ||
    concurrency < 1 ||
    concurrency > MAX_WEBHOOK_CONCURRENCY
  ) {
    throw new AppError("CONFIG_INVALID", "webhook concurrency must be an integer from 1 to 64");
  }
  const scheduleText = pick("webhookRetrySchedule");
  const steps = scheduleText === undefined ? [] : scheduleText.split(",").map((s) => s.trim());
  const schedule = steps.map((step) => parseDuration(step));
  if (schedule.length > MAX_RETRY_STEPS || schedule.some((ms) => ms === undefined || ms < 1000)) {
    throw new AppError(
      "CONFIG_INVALID",
      "webhook retry schedule must be up to 20 durations of 1s or more, like 5s,5m,30m",
    );
  }
  return {
    webhookTimeoutMs: timeoutMs,
    webhookConcurrency: concurrency,
    webhookRetrySchedule:
      scheduleText === undefined ? DEFAULT_RETRY_SCHEDULE_MS : (schedule as number[]),
  };
}

/** Each entry must be an origin and nothing else: `scheme://host[:port]`, http or https. */
function consoleOrigins(text: string | undefined): string[] {
  const entries = (text ?? "").split(",").map((e) => e.trim());
  return entries
    .filter((entry) => entry !== "")
    .map((entry) => {
      let origin: string | undefined;
      try {
        const url = new URL(entry);
        origin = url.protocol === "https:" || url.protocol === "http:" ? url.origin : undefined;
      } catch {
        origin = undefined;
      }
      // Compared case-insensitively only here; requests must then match exactly.
      // No patterns: a `*` would only ever match itself, which reads as a wildcard it is not.
      const patterned = entry.includes("*");
      if (
        patterned ||
        origin === undefined ||
        origin === "null" ||
        origin !== entry.toLowerCase()
      ) {
        throw new AppError(
          "CONFIG_INVALID",
          `console origin ${entry} must be scheme://host[:port] and nothing else`,
        );
      }
      return origin;
    });
}

function masterKeySource(env: NodeJS.ProcessEnv, file: string): MasterKeySource {
  if (env.PARTNEROS_MASTER_KEYS !== undefined && env.PARTNEROS_MASTER_KEYS !== "") {
    return { kind: "env", document: new Secret(env.PARTNEROS_MASTER_KEYS) };
  }
  const commandLine = env.PARTNEROS_MASTER_KEY_COMMAND?.trim();
  if (commandLine) {
    const [command = "", ...args] = commandLine.split(/\s+/);
    return { kind: "command", command, args };
  }
  return { kind: "file", path: resolve(file) };
}

function readConfigFile(path: string, required: boolean): Partial {
  if (!existsSync(path)) {
    if (required) throw new AppError("CONFIG_INVALID", `config file ${path} does not exist`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new AppError("CONFIG_INVALID", `config file ${path} is not valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("CONFIG_INVALID", `config file ${path} must hold a JSON object`);
  }
  const out: Partial = {};
  const allowed = [
    "dataDir",
    "host",
    "port",
    "logLevel",
    "sessionTtl",
    "masterKeyFile",
    "outboundAllow",
    "dnsResolver",
    "domainRecheck",
    "platformHosts",
    "consoleOrigins",
    "webhookTimeout",
    "webhookConcurrency",
    "webhookRetrySchedule",
  ] as const;
  for (const [key, value] of Object.entries(parsed)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new AppError("CONFIG_INVALID", `config file ${path}: unknown setting ${key}`);
    }
    const text = String(value);
    if (key === "sessionTtl") out.sessionTtlMs = text;
    else if (key === "domainRecheck") out.domainRecheckMs = text;
    else if (key === "webhookTimeout") out.webhookTimeoutMs = text;
    else out[key as keyof Partial] = text;
  }
  return out;
}

/** Refuses a data dir that group or others can read, write or enter. */
export function assertPrivateDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) {
    throw new AppError("NOT_CONFIGURED", `data dir ${dataDir} does not exist; run partneros init`);
  }
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      "DATA_DIR_INSECURE",
      `data dir ${dataDir} is accessible to other users (mode ${mode.toString(8)}); chmod 700 it`,
    );
  }
}

export const databasePath = (dataDir: string) => join(dataDir, "partneros.db");
export const masterKeyPath = (dataDir: string) => join(dataDir, "master.keys");
export const pidPath = (dataDir: string) => join(dataDir, "partnerosd.pid");
