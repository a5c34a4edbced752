import { z } from "@hono/zod-openapi";
import type { OutboundPolicy } from "../../core/outbound/policy.ts";
import { Secret } from "../../core/secrets/secret.ts";
import { testCredential } from "../../core/services/credential-test.ts";
import {
  type CredentialInput,
  deleteCredential,
  getCredentialOrThrow,
  listCredentials,
  setCredential,
  type Vault,
} from "../../core/services/credentials.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody, OrgQuery } from "../schemas.ts";

const CredentialParam = z.object({ credentialId: IdParam("credentialId", "crd") });

// Secret values only ever arrive here, in the body; zod's messages name the
// field and the rule, never the value.
const SecretValue = z.string().min(1).max(8192);
const Url = z.string().url().max(2048);

const SmtpBody = z
  .object({
    name: z.string().min(1).max(100),
    kind: z.literal("smtp"),
    settings: z
      .object({
        host: z.string().min(1).max(255),
        port: z.number().int().min(1).max(65535),
        username: z.string().min(1).max(255),
        tlsMode: z.enum(["starttls", "tls", "none"]),
      })
      .strict(),
    secrets: z.object({ password: SecretValue }).strict(),
  })
  .strict();

const ApiKeyBody = z
  .object({
    name: z.string().min(1).max(100),
    kind: z.literal("api_key"),
    settings: z.object({ service: z.string().min(1).max(100), baseUrl: Url.optional() }).strict(),
    secrets: z.object({ key: SecretValue }).strict(),
  })
  .strict();

const OauthBody = z
  .object({
    name: z.string().min(1).max(100),
    kind: z.literal("oauth"),
    settings: z
      .object({
        tokenUrl: Url,
        clientId: z.string().min(1).max(255),
        expiresAt: z.string().datetime({ offset: true }).optional(),
      })
      .strict(),
    secrets: z
      .object({
        accessToken: SecretValue,
        refreshToken: SecretValue.optional(),
        clientSecret: SecretValue,
      })
      .strict(),
  })
  .strict();

const SetCredentialBody = z
  .discriminatedUnion("kind", [SmtpBody, ApiKeyBody, OauthBody])
  .openapi("SetCredential");

const CredentialSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    kind: z.enum(["smtp", "api_key", "oauth"]),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.string()).openapi({
      description: "Each secret field masked: `••••`, or `••••` and the last 4 of a long API key",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Credential");

const CredentialTestSchema = z
  .object({
    credentialId: z.string(),
    orgId: z.string(),
    kind: z.enum(["smtp", "api_key", "oauth"]),
    ok: z.boolean(),
    outcome: z.enum(["ok", "rejected", "unreachable", "failed"]).openapi({
      description:
        "ok: accepted; rejected: the peer refused the secret; unreachable: no connection, " +
        "or the destination is not allowed; failed: anything else",
    }),
    detail: z.string().openapi({
      description: "What happened, the peer's words cut short and every secret form redacted",
    }),
  })
  .openapi("CredentialTest");

type SetBody = z.infer<typeof SetCredentialBody>;

/** Wraps each secret value in a `Secret` the moment it leaves the parsed body. */
function toInput(body: SetBody): CredentialInput {
  switch (body.kind) {
    case "smtp":
      return { ...body, secrets: { password: new Secret(body.secrets.password) } };
    case "api_key":
      return { ...body, secrets: { key: new Secret(body.secrets.key) } };
    case "oauth": {
      const { accessToken, refreshToken, clientSecret } = body.secrets;
      return {
        ...body,
        secrets: {
          accessToken: new Secret(accessToken),
          clientSecret: new Secret(clientSecret),
          ...(refreshToken === undefined ? {} : { refreshToken: new Secret(refreshToken) }),
        },
      };
    }
  }
}

export function credentialRoutes(api: Api, vault: Vault, outbound: OutboundPolicy): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/credentials",
      operationId: "listCredentials",
      summary: "Credentials of the partner org in scope, secrets masked",
      tags: ["credentials"],
      permission: "credentials.read",
      request: { query: OrgQuery.strict() },
      responses: {
        200: json(z.object({ data: z.array(CredentialSchema) }), "The org's credentials"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "listCredentials");
      return c.json(await listCredentials(ctx, vault, scope), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/credentials",
      operationId: "setCredential",
      summary: "Create or replace (by name) a credential of the partner org in scope",
      description:
        "Secret values travel in the body only and are encrypted at rest; " +
        "no response ever returns them, only masks.",
      tags: ["credentials"],
      permission: "credentials.write",
      request: { query: OrgQuery.strict(), body: jsonBody(SetCredentialBody) },
      responses: {
        200: json(CredentialSchema, "Replaced"),
        201: json(CredentialSchema, "Created"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "setCredential");
      const { credential, created } = await setCredential(
        ctx,
        vault,
        scope,
        toInput(c.req.valid("json")),
      );
      return created ? c.json(credential, 201) : c.json(credential, 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/credentials/{credentialId}",
      operationId: "getCredential",
      summary: "One credential of the partner org in scope, secrets masked",
      tags: ["credentials"],
      permission: "credentials.read",
      request: { params: CredentialParam, query: OrgQuery.strict() },
      responses: { 200: json(CredentialSchema, "The credential") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getCredential");
      const { credentialId } = c.req.valid("param");
      return c.json(await getCredentialOrThrow(ctx, vault, scope, credentialId), 200);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/credentials/{credentialId}",
      operationId: "deleteCredential",
      summary: "Delete a credential of the partner org in scope",
      tags: ["credentials"],
      permission: "credentials.write",
      request: { params: CredentialParam, query: OrgQuery.strict() },
      responses: { 204: { description: "Deleted" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "deleteCredential");
      await deleteCredential(ctx, scope, c.req.valid("param").credentialId);
      return c.body(null, 204);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/credentials/{credentialId}/test",
      operationId: "testCredential",
      summary: "Try a credential of the partner org in scope against its own server",
      description:
        "An SMTP login (no message is sent), a GET of the API key's base URL, or an OAuth " +
        "refresh grant whose tokens are discarded. Only public addresses are tried unless " +
        "the operator allows others (outboundAllow). The answer is 200 whatever the outcome.",
      tags: ["credentials"],
      // Whoever may set a credential may send it to the host it names.
      permission: "credentials.write",
      request: { params: CredentialParam, query: OrgQuery.strict() },
      responses: { 200: json(CredentialTestSchema, "How the test went") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "testCredential");
      const { credentialId } = c.req.valid("param");

      const result = await testCredential(ctx, vault, scope, credentialId, { outbound });

      c.get("log").info(
        { orgId: scope.orgId, credentialId, kind: result.kind, outcome: result.outcome },
        "credential.tested",
      );
      return c.json(result, 200);
    },
  );
}
