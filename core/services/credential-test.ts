import { appendAudit } from "../audit.ts";
import { checkApiKey } from "../credential-checks/api-key.ts";
import { basicAuth, checkOauthRefresh } from "../credential-checks/oauth.ts";
import { type Sanitizer, sanitizerFor } from "../credential-checks/sanitize.ts";
import { checkSmtp } from "../credential-checks/smtp.ts";
import type { CheckLimits, CredentialTestResult, Verdict } from "../credential-checks/verdict.ts";
import { AppError } from "../errors.ts";
import type { OutboundPolicy } from "../outbound/policy.ts";
import type { OrgScope } from "../scope.ts";
import type { Secret } from "../secrets/secret.ts";
import type { ServiceContext } from "./context.ts";
import {
  type CredentialKind,
  type SmtpSettings,
  useCredential,
  type Vault,
} from "./credentials.ts";

export type { CredentialTestResult, TestOutcome } from "../credential-checks/verdict.ts";

/** Each step of a test (lookup, connect, greeting, each reply) may take this long. */
export const CREDENTIAL_TEST_TIMEOUT_MS = 10_000;

export interface CredentialTestOptions {
  /** Which destinations the daemon may connect to. */
  outbound: OutboundPolicy;
  timeoutMs?: number;
}

/** The answer of `POST /v1/credentials/{id}/test`: which credential, and how it fared. */
export interface CredentialTest extends CredentialTestResult {
  credentialId: string;
  orgId: string;
  kind: CredentialKind;
}

type Opened = {
  kind: CredentialKind;
  settings: Record<string, unknown>;
  secrets: Record<string, Secret>;
};

/**
 * Tries a credential of the scoped org against its own server: an SMTP
 * login, an API request with the key, or an OAuth refresh grant. Secrets are
 * decrypted for the attempt only; a ciphertext that does not belong to this
 * row fails with INTEGRITY_FAILED before anything is sent. The detail is
 * sanitized of every form of the credential's secrets; one audit record says
 * which credential was tried and how it fared, never what the peer said.
 */
export async function testCredential(
  ctx: ServiceContext,
  vault: Vault,
  scope: OrgScope,
  id: string,
  options: CredentialTestOptions,
): Promise<CredentialTest> {
  const limits = {
    outbound: options.outbound,
    timeoutMs: options.timeoutMs ?? CREDENTIAL_TEST_TIMEOUT_MS,
  };

  const { kind, name, verdict } = await useCredential(
    ctx,
    vault,
    scope,
    id,
    async (credential) => ({
      kind: credential.kind,
      name: credential.name,
      verdict: await check(credential, limits),
    }),
  );

  const status = verdict.outcome === "ok" ? undefined : verdict.status;
  await ctx.store.transaction((tx) =>
    appendAudit(tx, ctx, {
      action: "credential.tested",
      orgId: scope.orgId,
      targetType: "credential",
      targetId: id,
      details: {
        name,
        kind,
        outcome: verdict.outcome,
        ...(status === undefined ? {} : { [kind === "smtp" ? "responseCode" : "status"]: status }),
      },
    }),
  );
  return {
    credentialId: id,
    orgId: scope.orgId,
    kind,
    ok: verdict.outcome === "ok",
    outcome: verdict.outcome,
    detail: verdict.detail,
  };
}

async function check(credential: Opened, limits: CheckLimits): Promise<Verdict> {
  const { kind, settings, secrets } = credential;
  const clean = sanitizerOf(credential);
  const verdict = await (async () => {
    switch (kind) {
      case "smtp":
        return checkSmtp(smtpSettings(settings), secretOrThrow(secrets, "password"), clean, limits);
      case "api_key": {
        const baseUrl = stringSetting(settings, "baseUrl");
        if (baseUrl === undefined) {
          throw new AppError(
            "VALIDATION_FAILED",
            "this api_key credential has no base URL to test against",
          );
        }
        return checkApiKey(baseUrl, secretOrThrow(secrets, "key"), clean, limits);
      }
      case "oauth": {
        const refreshToken = secrets.refreshToken;
        if (refreshToken === undefined) {
          throw new AppError(
            "VALIDATION_FAILED",
            "this oauth credential has no refresh token; without one there is nothing to test",
          );
        }
        const input = {
          tokenUrl: requiredSetting(settings, "tokenUrl"),
          clientId: requiredSetting(settings, "clientId"),
          clientSecret: secretOrThrow(secrets, "clientSecret"),
          refreshToken,
        };
        return checkOauthRefresh(input, clean, limits);
      }
    }
  })();
  // Our own words may quote settings, in which a partner could have put a secret.
  return { ...verdict, detail: clean.redact(verdict.detail) };
}

/** Every secret of the credential, and the compound forms it travels in, for redaction. */
function sanitizerOf({ kind, settings, secrets }: Opened): Sanitizer {
  const plain = Object.values(secrets).map((secret) => secret.use((value) => value));
  const compound: string[] = [];
  const username = stringSetting(settings, "username");
  const clientId = stringSetting(settings, "clientId");
  if (kind === "smtp" && username !== undefined && secrets.password) {
    secrets.password.use((password) => {
      // SASL PLAIN: authzid NUL authcid NUL password, with and without an authzid.
      compound.push(`\0${username}\0${password}`, `${username}\0${username}\0${password}`);
    });
  }
  if (kind === "oauth" && clientId !== undefined && secrets.clientSecret) {
    secrets.clientSecret.use((secret) => {
      compound.push(basicAuth(clientId, secret).slice("Basic ".length), `${clientId}:${secret}`);
    });
  }
  return sanitizerFor([...plain, ...compound]);
}

function smtpSettings(settings: Record<string, unknown>): SmtpSettings {
  const { port, tlsMode } = settings;
  if (
    typeof port !== "number" ||
    !(tlsMode === "starttls" || tlsMode === "tls" || tlsMode === "none")
  ) {
    throw incomplete("smtp");
  }
  return {
    host: requiredSetting(settings, "host"),
    port,
    username: requiredSetting(settings, "username"),
    tlsMode,
  };
}

function stringSetting(settings: Record<string, unknown>, key: string): string | undefined {
  const value = settings[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function requiredSetting(settings: Record<string, unknown>, key: string): string {
  const value = stringSetting(settings, key);
  if (value === undefined) throw incomplete(key);
  return value;
}

function secretOrThrow(secrets: Record<string, Secret>, field: string): Secret {
  const secret = secrets[field];
  if (secret === undefined) throw incomplete(field);
  return secret;
}

function incomplete(what: string): AppError {
  return new AppError("VALIDATION_FAILED", `the stored credential lacks ${what}; set it again`);
}
