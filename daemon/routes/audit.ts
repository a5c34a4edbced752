import { z } from "@hono/zod-openapi";
import { listAudit, verifyAudit } from "../../core/services/audit-log.ts";
import { type Api, serviceContext } from "../api.ts";
import { AuditRecordSchema, json } from "../schemas.ts";

const IsoTime = z.iso.datetime({ offset: true });

export function auditRoutes(api: Api): void {
  const { store } = api.deps;

  api.route(
    {
      method: "get",
      path: "/v1/audit",
      operationId: "listAudit",
      summary: "Audit records, newest first (partners: their own org's only)",
      tags: ["audit"],
      permission: "audit.read",
      request: {
        query: z
          .object({
            org: z.string().min(1).max(64).optional(),
            action: z.string().max(64).optional(),
            actor: z.string().max(64).optional(),
            since: IsoTime.optional(),
            until: IsoTime.optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
            cursor: z.string().max(64).optional(),
          })
          .strict(),
      },
      responses: {
        200: json(
          z.object({ data: z.array(AuditRecordSchema), nextCursor: z.string().nullable() }),
          "Audit records",
        ),
      },
    },
    async (c) => {
      const query = c.req.valid("query");
      const normalized = {
        ...query,
        since: query.since && new Date(query.since).toISOString(),
        until: query.until && new Date(query.until).toISOString(),
      };
      return c.json(await listAudit(serviceContext(c, store), normalized), 200);
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/audit/verify",
      operationId: "verifyAudit",
      summary: "Walk the hash chain and name the first altered or removed record",
      tags: ["audit"],
      permission: "audit.verify",
      responses: {
        200: json(
          z.union([
            z.object({ ok: z.literal(true), records: z.number(), headHash: z.string() }),
            z.object({
              ok: z.literal(false),
              records: z.number(),
              firstBadSeq: z.number(),
              firstBadId: z.string().nullable(),
              problem: z.enum(["altered", "removed"]),
            }),
          ]),
          "Verification result",
        ),
      },
    },
    async (c) => c.json(await verifyAudit(serviceContext(c, store)), 200),
  );
}
