import { isIP } from "node:net";
import { createTransport } from "nodemailer";
import { resolveAllowed } from "../outbound/resolve.ts";
import type { Secret } from "../secrets/secret.ts";
import type { SmtpSettings } from "../services/credentials.ts";
import type { Sanitizer } from "./sanitize.ts";
import { type CheckLimits, unanswered, type Verdict } from "./verdict.ts";

/**
 * Logs in to the stored server and quits: no message is sent. The connection
 * goes to the checked address, with the stored host as the TLS server name.
 */
export async function checkSmtp(
  settings: SmtpSettings,
  password: Secret,
  clean: Sanitizer,
  limits: CheckLimits,
): Promise<Verdict> {
  const resolved = await resolveAllowed(limits.outbound, settings.host, limits.timeoutMs);
  if (!resolved.ok) return unanswered(resolved);

  const transport = password.use((pass) =>
    createTransport({
      host: resolved.target.address,
      port: settings.port,
      secure: settings.tlsMode === "tls",
      requireTLS: settings.tlsMode === "starttls",
      ignoreTLS: settings.tlsMode === "none",
      ...(isIP(settings.host) === 0 ? { tls: { servername: settings.host } } : {}),
      auth: { user: settings.username, pass },
      // Without it a server that offers no AUTH would pass without a login.
      forceAuth: true,
      connectionTimeout: limits.timeoutMs,
      greetingTimeout: limits.timeoutMs,
      socketTimeout: limits.timeoutMs,
      logger: false,
      debug: false,
    }),
  );
  try {
    await transport.verify();
    return {
      outcome: "ok",
      detail: `logged in as ${settings.username} at ${settings.host}:${settings.port}`,
    };
  } catch (error) {
    return smtpFailure(error, clean);
  } finally {
    transport.close();
  }
}

/** nodemailer's error reduced to its code, reply code and sanitized reply: never its message. */
function smtpFailure(error: unknown, clean: Sanitizer): Verdict {
  const { code, originalCode, responseCode, response } = (error ?? {}) as Record<string, unknown>;
  const status = typeof responseCode === "number" ? { status: responseCode } : {};
  const said = typeof response === "string" && response !== "" ? `: ${clean.peer(response)}` : "";
  const system = safeCode(originalCode) ?? safeCode(code) ?? "error";
  switch (code) {
    case "EAUTH":
      return { outcome: "rejected", detail: `login rejected${said}`, ...status };
    case "ETIMEDOUT":
      return { outcome: "unreachable", detail: "the server did not answer in time" };
    case "EDNS":
    case "ECONNECTION":
    case "ESOCKET":
      return /CERT|TLS|SSL|VERIFY|SIGNATURE|ISSUER/.test(system)
        ? { outcome: "failed", detail: `TLS failed (${system})` }
        : { outcome: "unreachable", detail: `connection failed (${system})${said}`, ...status };
    case "ETLS":
      return { outcome: "failed", detail: `TLS failed${said}`, ...status };
    default:
      return { outcome: "failed", detail: `SMTP failed (${system})${said}`, ...status };
  }
}

function safeCode(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(value) ? value : undefined;
}
