import type { Permission } from "../core/permissions.ts";
import * as api from "./api/operations.ts";
import { type OperationKey, permissionOf } from "./api/operations.ts";
import type { Me } from "./api/types.ts";
import { createHttp, type Http } from "./client.ts";
import { type Connection, resolveConnection, resolveUrl } from "./connection.ts";
import { CliError } from "./errors.ts";
import { refusalFor, refusalForAll } from "./preflight.ts";
import { type ProfilesFile, readProfiles, writeProfiles } from "./profiles.ts";
import type { Terminal } from "./secrets.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The process around a command, passed in so nothing below reads globals. */
export interface Runtime {
  env: Env;
  /** `--profile` or PARTNEROS_PROFILE, when given. */
  profileFlag: string | undefined;
  profilesPath: string;
  terminal: Terminal;
  now: () => Date;
  fetch?: typeof fetch;
  /** A line of progress for a person watching; dropped unless stderr is a terminal. */
  progress?: (line: string) => void;
}

/** An authenticated connection whose actor holds the command's permission. */
export interface Session {
  http: Http;
  /** The caller, or undefined for a machine key scoped without `me.read`. */
  me: Me | undefined;
  connection: Connection;
  /** A client for the same daemon that authenticates with another token, e.g. a machine key. */
  withToken(token: string): Http;
}

/** What a command needs beyond its declared operation, and what for. */
export interface FurtherPermissions {
  /** Further operations it calls; each needs its route's own permission. */
  operations: readonly OperationKey[];
  /** Permissions it hands on (a key's scopes), which the actor must hold itself. */
  grants?: readonly Permission[];
  /** Completes "lacks …, needed …": `to import`. */
  purpose: string;
}

export interface CommandContext {
  runtime: Runtime;
  loadProfiles(): ProfilesFile;
  saveProfiles(file: ProfilesFile): void;
  /**
   * Authenticates and checks the command's declared permission via `GET /v1/me`,
   * together with any further permissions the command needs, all named at once.
   */
  session(also?: FurtherPermissions): Promise<Session>;
  /** A client without credentials for the public endpoints. */
  publicHttp(url?: string): Http;
}

export function createContext(runtime: Runtime, permission?: Permission): CommandContext {
  const loadProfiles = () => readProfiles(runtime.profilesPath);
  const http = (baseUrl: string, token?: string) =>
    createHttp(runtime.fetch ? { baseUrl, token, fetch: runtime.fetch } : { baseUrl, token });

  return {
    runtime,
    loadProfiles,
    saveProfiles: (file) => writeProfiles(runtime.profilesPath, file),
    publicHttp: (url) => http(url ?? resolveUrl(loadProfiles(), runtime.profileFlag, runtime.env)),
    async session(also) {
      if (!permission) throw new Error("this command declares no permission");
      const connection = resolveConnection(loadProfiles(), runtime.profileFlag, runtime.env);
      const client = http(connection.url, connection.token);
      const me = await api.me(client).catch((error: unknown) => {
        // A key scoped without me.read (say, events.write alone) cannot be
        // checked beforehand; the daemon's guard still decides every call.
        if (isForbidden(error) && permission !== "me.read") return undefined;
        throw withLoginHint(error, connection);
      });
      const wanted = also ? [...new Set([permission, ...furtherOf(also)])] : [permission];
      const refusal =
        me && (also ? refusalForAll(me, wanted, also.purpose) : refusalFor(me, permission));
      if (refusal) throw refusal;
      return {
        http: client,
        me,
        connection,
        withToken: (token) => http(connection.url, token),
      };
    },
  };
}

function isForbidden(error: unknown): boolean {
  return error instanceof CliError && error.code === "FORBIDDEN";
}

function furtherOf(also: FurtherPermissions): Permission[] {
  const called = also.operations.map(permissionOf);
  return [...called, ...(also.grants ?? [])].filter((p): p is Permission => p !== undefined);
}

function withLoginHint(error: unknown, connection: Connection): unknown {
  if (!(error instanceof CliError) || error.code !== "UNAUTHENTICATED") return error;
  const hint = connection.tokenFromProfile
    ? `run \`partneros login\` (profile ${connection.profileName})`
    : "check PARTNEROS_TOKEN";
  const options = error.requestId ? { requestId: error.requestId } : {};
  return new CliError(error.code, `${error.message}; ${hint}`, options);
}
