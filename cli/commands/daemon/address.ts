import { AppError } from "../../../core/errors.ts";
import { port as parsePort } from "../../parse.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 7420;

export interface Address {
  host: string;
  port: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Where `daemon start` binds: the flags, then PARTNEROS_HOST/PORT, then the
 * profile's URL when it points at this machine (so the CLI finds the daemon it
 * started), then 127.0.0.1:7420.
 */
export function daemonAddress(
  flags: { host?: string; port?: number },
  env: Env,
  profileUrl: string | undefined,
): Address {
  const local = loopbackAddress(profileUrl);
  const envPort = env.PARTNEROS_PORT ? parsePort(env.PARTNEROS_PORT) : undefined;
  return {
    host: flags.host ?? (env.PARTNEROS_HOST || undefined) ?? local?.host ?? DEFAULT_HOST,
    port: flags.port ?? envPort ?? local?.port ?? DEFAULT_PORT,
  };
}

/** The URL to reach a daemon bound at `address` from this machine. */
export function localUrl(address: Address): string {
  const host =
    address.host === "0.0.0.0" ? "127.0.0.1" : address.host === "::" ? "::1" : address.host;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

function loopbackAddress(url: string | undefined): Address | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("CONFIG_INVALID", `the profile's url ${url} is not a URL`);
  }
  if (parsed.protocol !== "http:" || !LOOPBACK.has(parsed.hostname)) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return { host, port: parsed.port ? Number(parsed.port) : 80 };
}
