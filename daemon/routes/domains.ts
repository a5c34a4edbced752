import { z } from "@hono/zod-openapi";
import {
  addDomain,
  type DomainSettings,
  getDomainOrThrow,
  listDomains,
  removeDomain,
  verifyDomain,
} from "../../core/services/domains.ts";
import { resolvePartnerScope } from "../../core/tenancy/partner-scope.ts";
import { type Api, serviceContext } from "../api.ts";
import { IdParam, json, jsonBody, OrgQuery } from "../schemas.ts";

const DomainParam = z.object({ domainId: IdParam("domainId", "dom") });

const DomainSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    hostname: z.string(),
    status: z.enum(["pending", "verified", "unverified"]),
    verification: z
      .object({ type: z.literal("TXT"), name: z.string(), value: z.string() })
      .openapi({ description: "Publish exactly this record; only an exact value verifies" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    verifiedAt: z.string().nullable(),
    lastCheckedAt: z.string().nullable(),
    lastCheckError: z.string().nullable().openapi({
      description: "RECORD_MISSING or RECORD_MISMATCH when the last check did not verify",
    }),
  })
  .openapi("Domain");

const AddDomainBody = z
  .object({ hostname: z.string().min(1).max(300) })
  .strict()
  .openapi("AddDomain");

export function domainRoutes(api: Api, settings: DomainSettings): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/domains",
      operationId: "listDomains",
      summary: "Custom domains claimed by the partner org in scope",
      tags: ["domains"],
      permission: "domains.read",
      request: { query: OrgQuery.strict() },
      responses: { 200: json(z.object({ data: z.array(DomainSchema) }), "The org's domains") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "listDomains");
      return c.json({ data: await listDomains(ctx, scope) }, 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/domains",
      operationId: "addDomain",
      summary: "Claim a hostname; answers the TXT record that proves it",
      description:
        "The hostname is normalized (case, trailing dot, punycode). IP literals, the " +
        "platform's own names and bare public suffixes are refused. A hostname another org " +
        "has verified answers 409. The claim is honoured nowhere until verified.",
      tags: ["domains"],
      permission: "domains.write",
      request: { query: OrgQuery.strict(), body: jsonBody(AddDomainBody) },
      responses: {
        201: json(DomainSchema, "Claimed, pending verification"),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Already claimed"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "addDomain");
      return c.json(await addDomain(ctx, settings, scope, c.req.valid("json")), 201);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/domains/{domainId}",
      operationId: "getDomain",
      summary: "One custom domain of the partner org in scope",
      tags: ["domains"],
      permission: "domains.read",
      request: { params: DomainParam, query: OrgQuery.strict() },
      responses: { 200: json(DomainSchema, "The domain") },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "getDomain");
      return c.json(await getDomainOrThrow(ctx, scope, c.req.valid("param").domainId), 200);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/domains/{domainId}/verify",
      operationId: "verifyDomain",
      summary: "Look the TXT proof up now and verify, or unverify, the domain",
      description:
        "Answers the domain with its new status. A verified domain whose proof is gone or " +
        "changed becomes unverified at once. A resolver that does not answer changes " +
        "nothing (503 UNAVAILABLE).",
      tags: ["domains"],
      permission: "domains.write",
      request: { params: DomainParam, query: OrgQuery.strict() },
      responses: {
        200: json(DomainSchema, "Checked"),
        409: json(z.object({ error: z.object({ code: z.string() }) }), "Verified elsewhere"),
      },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "verifyDomain");
      const { domainId } = c.req.valid("param");
      return c.json(await verifyDomain(ctx, settings, scope, domainId), 200);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/domains/{domainId}",
      operationId: "removeDomain",
      summary: "Remove a custom domain; it stops being honoured at once",
      tags: ["domains"],
      permission: "domains.write",
      request: { params: DomainParam, query: OrgQuery.strict() },
      responses: { 204: { description: "Removed" } },
    },
    async (c) => {
      const ctx = serviceContext(c, store);
      const scope = await resolvePartnerScope(ctx, c.req.valid("query").org, "removeDomain");
      await removeDomain(ctx, scope, c.req.valid("param").domainId);
      return c.body(null, 204);
    },
  );
}
