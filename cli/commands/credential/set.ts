import { AppError } from "../../../core/errors.ts";
import { type CredentialKind, SECRET_FIELDS } from "../../../core/services/credentials.ts";
import * as api from "../../api/operations.ts";
import type { SetCredentialBody } from "../../api/types.ts";
import {
  flag,
  oneOf,
  optionalString,
  orgScope,
  positiveInteger,
  requiredString,
} from "../../parse.ts";
import { promptSecret, readLines, secretLine } from "../../secrets.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { credentialView } from "./view.ts";

const KINDS = ["smtp", "api_key", "oauth"] as const satisfies readonly CredentialKind[];
const TLS_MODES = ["starttls", "tls", "none"] as const;

type Raw = Parameters<typeof requiredString>[0];

/** The clear-text settings of each kind, from flags. */
function settingsFor(kind: CredentialKind, raw: Raw): Record<string, unknown> {
  switch (kind) {
    case "smtp":
      return {
        host: requiredString(raw, "host"),
        port: positiveInteger(requiredString(raw, "port"), "--port"),
        username: requiredString(raw, "username"),
        tlsMode: oneOf(optionalString(raw, "tls") ?? "starttls", TLS_MODES, "--tls"),
      };
    case "api_key": {
      const baseUrl = optionalString(raw, "baseUrl");
      return { service: requiredString(raw, "service"), ...(baseUrl ? { baseUrl } : {}) };
    }
    case "oauth": {
      const expiresAt = optionalString(raw, "expiresAt");
      return {
        tokenUrl: requiredString(raw, "tokenUrl"),
        clientId: requiredString(raw, "clientId"),
        ...(expiresAt ? { expiresAt } : {}),
      };
    }
  }
}

export const credentialSet = defineCommand({
  name: "credential set",
  summary: "Store or replace a partner credential; secret values from a prompt or stdin only",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--name <name>", description: "the credential's name in its org", required: true },
    { flags: "--kind <kind>", description: "smtp, api_key or oauth", required: true },
    { flags: "--host <host>", description: "smtp: server host" },
    { flags: "--port <port>", description: "smtp: server port" },
    { flags: "--username <name>", description: "smtp: login name" },
    { flags: "--tls <mode>", description: "smtp: starttls (default), tls or none" },
    { flags: "--service <name>", description: "api_key: the service it is for" },
    { flags: "--base-url <url>", description: "api_key: the service's base URL" },
    { flags: "--token-url <url>", description: "oauth: the token endpoint" },
    { flags: "--client-id <id>", description: "oauth: the client id" },
    { flags: "--expires-at <time>", description: "oauth: when the access token expires" },
    {
      flags: "--secrets-stdin",
      description:
        "read secret values from stdin, one per line: smtp password; api_key key; " +
        "oauth access token, client secret, then an optional refresh token",
    },
  ],
  operation: "POST /v1/credentials",

  parse: (raw) => {
    const kind = oneOf(requiredString(raw, "kind"), KINDS, "--kind");
    return {
      org: orgScope(raw),
      name: requiredString(raw, "name"),
      kind,
      settings: settingsFor(kind, raw),
      secretsStdin: flag(raw, "secretsStdin"),
    };
  },

  async run(input, context) {
    const { terminal } = context.runtime;
    const fields = SECRET_FIELDS[input.kind];
    const lines = input.secretsStdin ? await readLines(terminal.input) : [];
    const secrets: Record<string, string> = {};
    for (const [index, field] of fields.entries()) {
      const value = input.secretsStdin
        ? field.required
          ? secretLine(lines, index, field.name)
          : lines[index] || undefined
        : await promptSecret(
            terminal,
            `${field.name}${field.required ? "" : " (optional)"}`,
            "--secrets-stdin",
          );
      if (value) secrets[field.name] = value;
      else if (field.required) throw new AppError("VALIDATION_FAILED", `${field.name} is required`);
    }
    const { http } = await context.session();
    // Assembled field by field from SECRET_FIELDS and settingsFor, so tsc cannot pair
    // the kind with its settings; the daemon's schema for the body does.
    const body = { name: input.name, kind: input.kind, settings: input.settings, secrets };
    return api.setCredential(http, input.org, body as SetCredentialBody);
  },

  view: credentialView,
});
