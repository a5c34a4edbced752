import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "../errors.ts";

/** The TXT values published at a name, each record's strings joined; [] when there are none. */
export type TxtLookup = (name: string) => Promise<string[]>;

/** Answers that say the record is not there, as opposed to a resolver that could not answer. */
const ABSENT = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN"]);

const TIMEOUT_MS = 3000;

/**
 * TXT lookups through the system's resolver, or through `server` ("host:port"
 * or "host") for split-horizon installs and tests. A missing name or record
 * is an empty answer; a resolver that fails or times out is UNAVAILABLE, so
 * a passing outage is never read as proof that a record went away.
 */
export function txtLookup(server?: string): TxtLookup {
  const resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 2 });
  if (server !== undefined) resolver.setServers([serverAddress(server)]);
  return async (name) => {
    try {
      const records = await resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(""));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && ABSENT.has(code)) return [];
      throw new AppError("UNAVAILABLE", `the DNS resolver did not answer for ${name}`);
    }
  };
}

/** `127.0.0.1:5353`, `[::1]:53` or a bare address, as node's resolver takes it. */
function serverAddress(server: string): string {
  const text = server.trim();
  if (isIP(text) !== 0) return text;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const host = bracketed ? bracketed[1] : text.replace(/:\d{1,5}$/, "");
  const port = bracketed ? bracketed[2] : /:(\d{1,5})$/.exec(text)?.[1];
  if (!host || isIP(host) === 0 || (port !== undefined && Number(port) > 65535)) {
    throw new AppError("CONFIG_INVALID", `dnsResolver: ${JSON.stringify(text)} is not host:port`);
  }
  if (port === undefined) return host;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
