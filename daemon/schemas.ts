import { z } from "@hono/zod-openapi";
import { OPERATOR_ROLES, PARTNER_ROLES, PERMISSIONS } from "../core/permissions.ts";

export const RoleSchema = z.enum([...OPERATOR_ROLES, ...PARTNER_ROLES]).openapi("Role");
export const PermissionSchema = z.enum(PERMISSIONS).openapi("Permission");

/** The org selector of org-scoped routes. Partners may omit it; operators must give it. */
export const OrgQuery = z.object({
  org: z.string().min(1).max(64).optional().openapi({
    description: "Org slug or id. Required for operators; partners get their own org.",
  }),
});

export const IdParam = (name: string, prefix: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: "path" }, example: `${prefix}_…` });

export const TenantSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    accountType: z.enum(["operator", "partner"]),
    status: z.enum(["active", "suspended"]),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Tenant");

export const UserSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    status: z.enum(["invited", "active", "removed"]),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("User");

export const KeySchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    role: RoleSchema,
    scopes: z.array(PermissionSchema),
    hint: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    rotatedTo: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .openapi("MachineKey");

export const ActorSchema = z
  .object({
    kind: z.enum(["user", "machine"]),
    id: z.string(),
    orgId: z.string(),
    orgSlug: z.string(),
    accountType: z.enum(["operator", "partner"]),
    role: RoleSchema,
    credentialId: z.string(),
  })
  .openapi("Actor");

export const AuditRecordSchema = z
  .object({
    seq: z.number().int().optional().openapi({ description: "Chain position; operators only" }),
    id: z.string(),
    at: z.string(),
    actorKind: z.string(),
    actorId: z.string(),
    actorOrgId: z.string().nullable(),
    orgId: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    requestId: z.string().nullable(),
    clientAddr: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditRecord");

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * A required JSON body. Object bodies are made strict here, for every route at
 * once: a misspelled field is a 400, never silently dropped.
 */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: {
    "application/json": { schema: (schema instanceof z.ZodObject ? schema.strict() : schema) as T },
  },
});

export const ProductSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    series: z.string().nullable(),
    listPrice: z.number().int().nullable().openapi({ description: "Minor units of currency" }),
    currency: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Product");

export const CustomerSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    externalRef: z.string(),
    name: z.string(),
    sector: z.string().nullable(),
    country: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Customer");

export const StageSchema = z.enum(["Prospecting", "Engaging", "Won", "Lost"]).openapi("DealStage");
export const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .openapi({ example: "2017-03-01", description: "Calendar date YYYY-MM-DD" });

export const DealSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    externalRef: z.string(),
    productId: z.string(),
    customerId: z.string().nullable(),
    stage: StageSchema,
    amount: z.number().int().nullable().openapi({ description: "Minor units of currency" }),
    currency: z.string(),
    engageDate: z.string().nullable(),
    closeDate: z.string().nullable(),
    ownerUserId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Deal");

export const UpsertResultSchema = z.object({
  results: z.array(
    z.object({
      externalRef: z.string(),
      id: z.string().nullable(),
      outcome: z.enum(["created", "updated", "unchanged"]),
    }),
  ),
});

export const Limit = z.coerce.number().int().min(1).max(500).default(50);
export const CursorParam = z.string().min(1).max(512).optional();
