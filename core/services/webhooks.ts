import { appendAudit } from "../audit.ts";
import { isoAfter, nowIso } from "../clock.ts";
import { AppError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import type { OutboundPolicy } from "../outbound/policy.ts";
import type { Resolver } from "../outbound/resolve.ts";
import { type OrgScope, resolveOrgScope } from "../scope.ts";
import { decryptSecret, encryptSecret } from "../secrets/envelope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { Secret } from "../secrets/secret.ts";
import { sharedCounter } from "../secrets/usage.ts";
import type { WebhookEndpointStatus, WebhookEndpointTable } from "../store/schema.ts";
import type { Tx } from "../store/store.ts";
import { partnerData } from "../tenancy/partner-data.ts";
import { auditOperatorAccess } from "../tenancy/partner-scope.ts";
import { sealedSigningSecrets, signingSecretBinding } from "../webhooks/endpoint-secrets.ts";
import { newSigningSecret, SECRET_PREFIX } from "../webhooks/signature.ts";
import type { ServiceContext } from "./context.ts";
import {
  descriptionOrThrow,
  destinationOrThrow,
  eventTypesOrThrow,
  graceOrThrow,
  hostOf,
  MAX_ENDPOINTS_PER_ORG,
  programReasonOrThrow,
} from "./webhook-rules.ts";

export { MAX_DESCRIPTION, MAX_ENDPOINTS_PER_ORG } from "./webhook-rules.ts";

/** What every read shows in place of a signing secret. */
export const SECRET_MASK = `${SECRET_PREFIX}••••`;

/** What the webhook service needs besides the request: keys, outbound rule and resolver. */
export interface WebhookSettings {
  readonly keys: { readonly keyring: Keyring };
  readonly outbound: OutboundPolicy;
  /** How destination names are resolved at registration; the system's by default. */
  readonly resolve?: Resolver;
}

/** An endpoint as every read shows it: the signing secret masked. */
export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  secret: string;
  /** Until when the previous secret still signs beside the current one; null when none does. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookEndpointInput {
  url: string;
  eventTypes: readonly string[];
  description?: string;
  /** Required for an operator org's endpoint, which receives every partner's events. */
  reason?: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  eventTypes?: readonly string[];
  description?: string;
  status?: WebhookEndpointStatus;
  /** Required when an operator endpoint's URL, types or status change. */
  reason?: string;
}

/** The reason an operator endpoint carries every partner's events; none for a partner's. */
function programReason(
  scope: OrgScope,
  reason: string | undefined,
): { reason: string } | Record<string, never> {
  return scope.accountType === "operator" ? { reason: programReasonOrThrow(reason) } : {};
}

/** The one answer that shows a signing secret: right after it was made. */
export interface IssuedSecret {
  webhook: WebhookEndpoint;
  signingSecret: Secret;
}

/**
 * The org whose endpoints a request manages. Partners: their own. Operators:
 * their own org unless they name one (which needs cross_partner.read, as its
 * endpoints receive every partner's events); naming a partner reaches its
 * endpoints for support, audited as `partner_data.accessed` before anything is read.
 */
export async function resolveWebhookScope(
  ctx: ServiceContext,
  requested: string | undefined,
  operation: string,
): Promise<OrgScope> {
  const { actor } = ctx;
  const scope: OrgScope =
    actor.accountType === "operator" && (requested === undefined || requested === "")
      ? { orgId: actor.orgId, orgSlug: actor.orgSlug, accountType: "operator", crossOrg: false }
      : await resolveOrgScope(ctx.store.db, actor, requested);
  // The operator org's endpoints carry every partner's events: their secrets,
  // deliveries and settings are a cross-partner matter, whatever the operation.
  if (scope.accountType === "operator" && !actor.permissions.has("cross_partner.read")) {
    throw new AppError(
      "FORBIDDEN",
      "the operator org's endpoints receive every partner's events: this requires " +
        "cross_partner.read",
    );
  }
  await auditOperatorAccess(ctx, scope, operation);
  return scope;
}

function toEndpoint(row: WebhookEndpointTable): WebhookEndpoint {
  const graceLasts =
    row.previous_expires_at !== null && Date.parse(row.previous_expires_at) > Date.now();
  return {
    id: row.id,
    orgId: row.org_id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    status: row.status,
    disabledReason: row.disabled_reason,
    secret: SECRET_MASK,
    previousSecretExpiresAt: graceLasts ? row.previous_expires_at : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Endpoints of the scoped org, oldest first, secrets masked. */
export async function listWebhookEndpoints(
  ctx: ServiceContext,
  scope: OrgScope,
): Promise<{ data: WebhookEndpoint[] }> {
  const rows = await partnerData(ctx.store.db, scope)
    .webhookEndpoints()
    .selectAll()
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return { data: rows.map(toEndpoint) };
}

async function findRow(db: ServiceContext["store"]["db"] | Tx, scope: OrgScope, id: string) {
  return partnerData(db, scope)
    .webhookEndpoints()
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
}

/** One endpoint of the scoped org; any other org's answers exactly like a missing one. */
export async function getWebhookEndpointOrThrow(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
): Promise<WebhookEndpoint> {
  const row = await findRow(ctx.store.db, scope, id);
  if (!row) throw notFound("webhook endpoint");
  return toEndpoint(row);
}

/** Sealing raced a master-key rotation (or another write of the row): sealing starts again. */
class SealRace extends AppError {
  constructor(message = "the master key was rotated meanwhile; try again") {
    super("CONFLICT", message);
  }
}

/** Runs `work` again when the primary or the row changed between sealing and commit. */
async function sealingRetried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof SealRace) || attempt === 3) throw error;
    }
  }
}

/** Seals `values` under the primary, one reservation for all, fields bound to their row. */
async function seal(
  ctx: ServiceContext,
  keyring: Keyring,
  row: Pick<WebhookEndpointTable, "org_id" | "id">,
  values: { signing: Secret; previous?: Secret },
): Promise<string> {
  const entries = Object.entries(values) as ["signing" | "previous", Secret][];
  // Reservations write to the store, so they are made before the transaction opens.
  const counter = await sharedCounter(ctx.store);
  await counter.reserve(keyring.primary, entries.length);
  const sealed: Record<string, string> = {};
  for (const [field, secret] of entries) {
    sealed[field] = encryptSecret(keyring, counter, signingSecretBinding(row, field), secret);
  }
  return JSON.stringify(sealed);
}

/**
 * Registers an endpoint with a fresh signing secret, sealed to its row. The
 * plaintext secret is answered here and never again.
 */
export async function createWebhookEndpoint(
  ctx: ServiceContext,
  settings: WebhookSettings,
  scope: OrgScope,
  input: WebhookEndpointInput,
): Promise<IssuedSecret> {
  const eventTypes = eventTypesOrThrow(input.eventTypes);
  const description = descriptionOrThrow(input.description ?? "");
  const program = programReason(scope, input.reason);
  const url = await destinationOrThrow(settings, input.url);
  const signingSecret = newSigningSecret();
  const id = newId("webhook");

  const row = await sealingRetried(async () => {
    const keyring = settings.keys.keyring;
    const now = nowIso();
    const sealed: WebhookEndpointTable = {
      id,
      org_id: scope.orgId,
      url,
      description,
      event_types: eventTypes,
      status: "enabled",
      disabled_reason: null,
      secrets: await seal(ctx, keyring, { org_id: scope.orgId, id }, { signing: signingSecret }),
      previous_expires_at: null,
      key_version: keyring.primary,
      sealed_fields: 1,
      created_at: now,
      updated_at: now,
    };
    await ctx.store.transaction(async (tx) => {
      if (settings.keys.keyring.primary !== keyring.primary) throw new SealRace();
      const data = partnerData(tx, scope);
      const held = await data
        .webhookEndpoints()
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      if (Number(held.n) >= MAX_ENDPOINTS_PER_ORG) {
        throw new AppError(
          "CONFLICT",
          `this org already has ${MAX_ENDPOINTS_PER_ORG} webhook endpoints; remove one first`,
        );
      }
      const { org_id: _org, ...values } = sealed;
      await data.insertWebhookEndpoint(values).execute();
      await appendAudit(tx, ctx, {
        action: "webhook.created",
        orgId: scope.orgId,
        targetType: "webhook",
        targetId: id,
        details: {
          host: hostOf(url),
          eventTypes: JSON.parse(eventTypes) as string[],
          ...program,
        },
      });
    });
    return sealed;
  });
  return { webhook: toEndpoint(row), signingSecret };
}

/** Changes the URL (checked again), event types, description or status of an endpoint. */
export async function updateWebhookEndpoint(
  ctx: ServiceContext,
  settings: WebhookSettings,
  scope: OrgScope,
  id: string,
  patch: WebhookEndpointPatch,
): Promise<WebhookEndpoint> {
  const { reason: _reason, ...fields } = patch;
  if (Object.values(fields).every((value) => value === undefined)) {
    throw new AppError(
      "VALIDATION_FAILED",
      "give at least one of url, eventTypes, description, status",
    );
  }
  const program =
    fields.url !== undefined || fields.eventTypes !== undefined || fields.status === "enabled"
      ? programReason(scope, patch.reason)
      : {};
  const changes: Partial<WebhookEndpointTable> = {};
  if (patch.eventTypes !== undefined) changes.event_types = eventTypesOrThrow(patch.eventTypes);
  if (patch.description !== undefined) changes.description = descriptionOrThrow(patch.description);
  if (patch.status !== undefined) {
    changes.status = patch.status;
    changes.disabled_reason = patch.status === "disabled" ? "manual" : null;
  }
  // Found before the URL is resolved, so a foreign id costs no DNS lookup and says nothing.
  if (!(await findRow(ctx.store.db, scope, id))) throw notFound("webhook endpoint");
  if (patch.url !== undefined) changes.url = await destinationOrThrow(settings, patch.url);

  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const now = nowIso();
    const updated = await data
      .updateWebhookEndpoints()
      .set({ ...changes, updated_at: now })
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound("webhook endpoint");
    const row = await findRow(tx, scope, id);
    if (!row) throw notFound("webhook endpoint");
    await appendAudit(tx, ctx, {
      action: "webhook.updated",
      orgId: scope.orgId,
      targetType: "webhook",
      targetId: id,
      details: {
        fields: Object.keys(fields).sort(),
        host: hostOf(row.url),
        eventTypes: JSON.parse(row.event_types) as string[],
        status: row.status,
        ...program,
      },
    });
    return toEndpoint(row);
  });
}

/** Removes an endpoint; its deliveries and their attempts go with it. */
export function deleteWebhookEndpoint(
  ctx: ServiceContext,
  scope: OrgScope,
  id: string,
): Promise<void> {
  return ctx.store.transaction(async (tx) => {
    const data = partnerData(tx, scope);
    const row = await findRow(tx, scope, id);
    if (!row) throw notFound("webhook endpoint");
    await data.deleteWebhookEndpoints().where("id", "=", id).execute();
    await appendAudit(tx, ctx, {
      action: "webhook.deleted",
      orgId: scope.orgId,
      targetType: "webhook",
      targetId: id,
      details: { host: hostOf(row.url) },
    });
  });
}

/**
 * Issues a new signing secret. The current one becomes `previous` and keeps
 * signing beside the new one for `gracePeriod` (24 h by default, at most 7 d;
 * `0s` drops it at once). Rotating again during a grace window replaces the
 * previous secret with the one current at that moment: at most two sign.
 */
export async function rotateWebhookSecret(
  ctx: ServiceContext,
  settings: WebhookSettings,
  scope: OrgScope,
  id: string,
  gracePeriod: string | undefined,
): Promise<IssuedSecret> {
  const graceMs = graceOrThrow(gracePeriod);
  const signingSecret = newSigningSecret();

  const row = await sealingRetried(async () => {
    const keyring = settings.keys.keyring;
    const current = await findRow(ctx.store.db, scope, id);
    if (!current) throw notFound("webhook endpoint");
    const stored = sealedSigningSecrets(current);
    const now = nowIso();
    const values: { signing: Secret; previous?: Secret } = { signing: signingSecret };
    if (graceMs > 0) {
      const old = stored.signing as string;
      values.previous = decryptSecret(keyring, signingSecretBinding(current, "signing"), old);
    }
    const secrets = await seal(ctx, keyring, current, values);
    const previousExpiresAt = graceMs > 0 ? isoAfter(graceMs) : null;

    return ctx.store.transaction(async (tx) => {
      if (settings.keys.keyring.primary !== keyring.primary) throw new SealRace();
      const data = partnerData(tx, scope);
      // The row must still hold what was read: a concurrent rotation would otherwise be lost.
      const updated = await data
        .updateWebhookEndpoints()
        .set({
          secrets,
          previous_expires_at: previousExpiresAt,
          key_version: keyring.primary,
          sealed_fields: Object.keys(values).length,
          updated_at: now,
        })
        .where("id", "=", id)
        .where("secrets", "=", current.secrets)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        throw new SealRace("the endpoint changed meanwhile; try again");
      }
      await appendAudit(tx, ctx, {
        action: "webhook.secret_rotated",
        orgId: scope.orgId,
        targetType: "webhook",
        targetId: id,
        details: { graceSeconds: graceMs / 1000, previousExpiresAt },
      });
      return {
        ...current,
        secrets,
        previous_expires_at: previousExpiresAt,
        key_version: keyring.primary,
        sealed_fields: Object.keys(values).length,
        updated_at: now,
      };
    });
  });
  return { webhook: toEndpoint(row), signingSecret };
}
