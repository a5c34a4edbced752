import { appendAudit, SYSTEM_ACTOR } from "../audit.ts";
import { newId } from "../ids.ts";
import type { OutboundPolicy } from "../outbound/policy.ts";
import type { Resolver } from "../outbound/resolve.ts";
import { findOrgByRef, type OrgScope } from "../scope.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { Secret } from "../secrets/secret.ts";
import type {
  WebhookAttemptTrigger,
  WebhookDeliveryTable,
  WebhookEndpointTable,
} from "../store/schema.ts";
import type { Store } from "../store/store.ts";
import { deliveryQueue, partnerData } from "../tenancy/partner-data.ts";
import { type AttemptResult, postSigned } from "./attempt.ts";
import { TEST_EVENT_TYPE } from "./catalog.ts";
import { openEndpointSecrets } from "./endpoint-secrets.ts";
import { DEFAULT_RETRY_SCHEDULE_MS, nextAttemptAt, type RetryPolicy } from "./schedule.ts";

export interface DeliveryOptions {
  /** Attempts in flight at once, across all orgs. */
  concurrency?: number;
  /** How often the queue is looked at when nothing woke the worker. */
  pollMs?: number;
  /** Deadline of one attempt's name resolution, and again of its request. */
  timeoutMs?: number;
  /** Delays between attempts; its length + 1 attempts in all. */
  retrySchedule?: readonly number[];
  /** Extra delay per step as a share of it (0 for an exact schedule). */
  jitter?: number;
  /** The clock attempts, schedules and leases are read from. */
  now?: () => Date;
  random?: () => number;
  /** How destination names are resolved; the system's resolver by default. */
  resolve?: Resolver;
  /** Where failures of the worker itself (not of receivers) are reported. */
  onError?: (error: unknown) => void;
}

export const DEFAULT_DELIVERY = {
  concurrency: 8,
  pollMs: 1000,
  timeoutMs: 15_000,
  jitter: 0.1,
} as const;

/** A delivery this worker holds the lease of. */
export type Claimed = Pick<
  WebhookDeliveryTable,
  "id" | "org_id" | "message_id" | "endpoint_id" | "attempts" | "schedule_start"
> & { lease: string };

/** What an attempt came to; null when it was cancelled instead, or its lease was lost. */
export type Attempted = (AttemptResult & { attempt: number; status: string }) | null;

/**
 * Delivers the outbox. Due deliveries of every org are claimed in one
 * statement (status `sending` with a lease), attempted concurrently, and
 * recorded through `partnerData` scoped to each delivery's org. A worker
 * killed mid-attempt leaves its claims to expire, and the next claim takes
 * them again: the message then goes out a second time with the same
 * `webhook-id`, which is what a retry looks like to a receiver.
 */
export class DeliveryWorker {
  readonly #store: Store;
  readonly #keys: { readonly keyring: Keyring };
  readonly #outbound: OutboundPolicy;
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #retry: RetryPolicy;
  readonly #now: () => Date;
  readonly #onError: (error: unknown) => void;
  readonly #resolve: Resolver | undefined;
  /** Attempts under way, with the org each one is for. */
  readonly #inFlight = new Map<Promise<unknown>, string>();
  /** Orgs the last claim served: they wait behind the others at the next one. */
  #lastServed: readonly string[] = [];
  readonly #scopes = new Map<string, OrgScope>();
  #filling: Promise<number> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    store: Store,
    keys: { readonly keyring: Keyring },
    outbound: OutboundPolicy,
    options: DeliveryOptions = {},
  ) {
    this.#store = store;
    this.#keys = keys;
    this.#outbound = outbound;
    this.#concurrency = options.concurrency ?? DEFAULT_DELIVERY.concurrency;
    this.#pollMs = options.pollMs ?? DEFAULT_DELIVERY.pollMs;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs;
    // Resolution and request each have the deadline; the rest covers recording, so a
    // live attempt never loses its lease, and a dead one's delivery waits under a minute.
    this.#leaseMs = 3 * this.#timeoutMs + 5_000;
    this.#retry = {
      schedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
      jitter: options.jitter ?? DEFAULT_DELIVERY.jitter,
      random: options.random ?? Math.random,
    };
    this.#now = options.now ?? (() => new Date());
    this.#onError = options.onError ?? (() => {});
    this.#resolve = options.resolve;
  }

  get now(): Date {
    return this.#now();
  }

  /** Polls the queue every `pollMs` until stopped, and at once on `wake`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#timer = setInterval(() => this.wake(), this.#pollMs);
    this.#timer.unref();
    this.wake();
  }

  /**
   * Stops claiming, then waits for the attempts in flight: each is bounded by
   * its timeout and is recorded before this settles, so none is left to its lease.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#timer);
    await this.#filling;
    await Promise.allSettled([...this.#inFlight.keys()]);
  }

  /** Looks at the queue now (something was just queued) rather than at the next poll. */
  wake(): void {
    if (!this.#running) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    this.#filling = this.#fill()
      .catch((error: unknown) => {
        this.#onError(error);
        return 0;
      })
      .finally(() => {
        this.#filling = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** One claim of due deliveries, each attempted to the end; answers how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.#fill();
    await Promise.allSettled([...this.#inFlight.keys()]);
    return claimed;
  }

  /** Rounds until nothing is due at the clock's time (bounded, for a zero-delay schedule). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const claimed = await this.runOnce();
      if (claimed === 0) break;
      total += claimed;
    }
    return total;
  }

  /**
   * Whether a test-send for `orgId` must wait for a later request: every slot
   * is taken, or that org already holds half of them.
   */
  busyFor(orgId: string): boolean {
    if (this.#inFlight.size >= this.#concurrency) return true;
    let held = 0;
    for (const org of this.#inFlight.values()) if (org === orgId) held++;
    return held >= Math.ceil(this.#concurrency / 2);
  }

  /** A lease taken now, for a delivery the caller marks `sending` itself (a test-send). */
  leaseFromNow(): string {
    return new Date(this.#now().getTime() + this.#leaseMs).toISOString();
  }

  async #fill(): Promise<number> {
    const free = this.#concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const now = this.#now().toISOString();
    const lease = this.leaseFromNow();
    const avoid = [...new Set([...this.#inFlight.values(), ...this.#lastServed])];
    const rows = await deliveryQueue.claim(this.#store.db, now, lease, free, { avoid });
    this.#lastServed = [...new Set(rows.map((row) => row.org_id))];
    for (const row of rows) {
      const work: Promise<unknown> = this.#attempt({ ...row, lease }, triggerOf(row))
        .catch((error: unknown) => this.#onError(error))
        .finally(() => {
          this.#inFlight.delete(work);
          // When the last claim filled every slot more is likely due: claim again once half
          // the slots are free, without waiting for the poll (one claim per slot costs more).
          if (rows.length === free && this.#inFlight.size <= this.#concurrency / 2) this.wake();
        });
      this.#inFlight.set(work, row.org_id);
    }
    return rows.length;
  }

  /**
   * One attempt of a claimed delivery: the endpoint (still enabled, unless this
   * is a test-send) and the message are read in the delivery's own org, the
   * secrets opened at the moment of use, and the outcome recorded.
   */
  async attempt(claimed: Claimed, trigger = triggerOf(claimed)): Promise<Attempted> {
    // Counted in flight like a claimed one, so `stop` waits for a test-send too.
    const work = this.#attempt(claimed, trigger);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.set(settled, claimed.org_id);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(settled);
    }
  }

  async #attempt(claimed: Claimed, trigger: WebhookAttemptTrigger): Promise<Attempted> {
    const at = this.#now();
    const scope = await this.#scopeOf(claimed.org_id);
    const data = partnerData(this.#store.db, scope);
    const endpoint = await data
      .webhookEndpoints()
      .selectAll()
      .where("id", "=", claimed.endpoint_id)
      .executeTakeFirst();
    const message = await data
      .webhookMessages()
      .select(["payload", "event_type"])
      .where("id", "=", claimed.message_id)
      .executeTakeFirst();
    if (!endpoint || !message || (endpoint.status !== "enabled" && trigger !== "test")) {
      await this.#cancel(scope, claimed, endpoint ? "endpoint_disabled" : "endpoint_deleted");
      return null;
    }
    // A test-send is attempted once, by its request; one a crash left behind is not resent.
    if (message.event_type === TEST_EVENT_TYPE && trigger !== "test") {
      await this.#cancel(scope, claimed, "test_interrupted");
      return null;
    }
    let secrets: Secret[];
    let held: Secret[];
    try {
      ({ signWith: secrets, held } = openEndpointSecrets(this.#keys.keyring, endpoint, at));
    } catch {
      // A secret that fails its integrity check is never sent; the delivery is retried.
      const result = failedLocally("INTEGRITY_FAILED");
      return this.#record(scope, claimed, endpoint, trigger, at, result);
    }
    const result = await postSigned({
      url: endpoint.url,
      messageId: claimed.message_id,
      body: message.payload,
      secrets,
      redact: held,
      at,
      timeoutMs: this.#timeoutMs,
      outbound: this.#outbound,
      ...(this.#resolve ? { resolve: this.#resolve } : {}),
    });
    return this.#record(scope, claimed, endpoint, trigger, at, result);
  }

  /** The delivery's own org, as the row names it; kept, as an org's id and type never change. */
  async #scopeOf(orgId: string): Promise<OrgScope> {
    let scope = this.#scopes.get(orgId);
    if (!scope) {
      const org = await findOrgByRef(this.#store.db, orgId);
      scope = {
        orgId,
        orgSlug: org?.slug ?? orgId,
        accountType: org?.account_type ?? "partner",
        crossOrg: false,
      };
      this.#scopes.set(orgId, scope);
    }
    return scope;
  }

  async #cancel(scope: OrgScope, claimed: Claimed, reason: string): Promise<void> {
    const now = this.#now().toISOString();
    await partnerData(this.#store.db, scope)
      .updateWebhookDeliveries()
      .set({
        status: "cancelled",
        lease_until: null,
        next_attempt_at: null,
        last_error: reason,
        updated_at: now,
        completed_at: now,
      })
      .where("id", "=", claimed.id)
      .where("status", "=", "sending")
      .where("lease_until", "=", claimed.lease)
      .execute();
  }

  async #record(
    scope: OrgScope,
    claimed: Claimed,
    endpoint: WebhookEndpointTable,
    trigger: WebhookAttemptTrigger,
    at: Date,
    result: AttemptResult,
  ): Promise<Attempted> {
    const ended = this.#now();
    const endedIso = ended.toISOString();
    const attempt = claimed.attempts + 1;
    const next =
      result.outcome === "succeeded" || result.outcome === "gone" || trigger === "test"
        ? null
        : nextAttemptAt(this.#retry, attempt - claimed.schedule_start, ended);
    const status =
      result.outcome === "succeeded" ? "succeeded" : next === null ? "failed" : "pending";
    let kept = true;
    await this.#store.transaction(async (tx) => {
      const data = partnerData(tx, scope);
      // Only the holder of the lease records: an attempt that outlived its lease
      // (a later claim took the delivery) leaves no row and changes nothing.
      const held = await data
        .updateWebhookDeliveries()
        .set({
          status,
          attempts: attempt,
          next_attempt_at: next?.toISOString() ?? null,
          lease_until: null,
          last_status_code: result.statusCode,
          last_error: result.error,
          updated_at: endedIso,
          completed_at: status === "pending" ? null : endedIso,
        })
        .where("id", "=", claimed.id)
        .where("status", "=", "sending")
        .where("lease_until", "=", claimed.lease)
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) {
        kept = false;
        return;
      }
      await data
        .insertWebhookAttempt({
          id: newId("attempt"),
          delivery_id: claimed.id,
          attempt,
          trigger,
          started_at: at.toISOString(),
          duration_ms: result.durationMs,
          status_code: result.statusCode,
          outcome: result.outcome,
          error: result.error,
          response_excerpt: result.excerpt,
        })
        .execute();
      if (result.outcome === "gone") await disableGone(tx, scope, endpoint, claimed, endedIso);
    });
    return kept ? { ...result, attempt, status } : null;
  }
}

/** The first attempt after a replay is the replay's; every other one is the schedule's. */
function triggerOf(claimed: Pick<Claimed, "attempts" | "schedule_start">): WebhookAttemptTrigger {
  return claimed.schedule_start > 0 && claimed.attempts === claimed.schedule_start
    ? "replay"
    : "schedule";
}

function failedLocally(error: string): AttemptResult {
  return { outcome: "failed", statusCode: null, durationMs: 0, error, excerpt: null };
}

/**
 * A 410 says the receiver is gone for good: the endpoint is disabled, its
 * other pending deliveries are cancelled, and the system records why.
 */
async function disableGone(
  tx: Parameters<Parameters<Store["transaction"]>[0]>[0],
  scope: OrgScope,
  endpoint: WebhookEndpointTable,
  claimed: Claimed,
  now: string,
): Promise<void> {
  const data = partnerData(tx, scope);
  const disabled = await data
    .updateWebhookEndpoints()
    .set({ status: "disabled", disabled_reason: "gone", updated_at: now })
    .where("id", "=", endpoint.id)
    .where("status", "=", "enabled")
    .executeTakeFirst();
  if (disabled.numUpdatedRows === 0n) return;
  const cancelled = await data
    .updateWebhookDeliveries()
    .set({
      status: "cancelled",
      next_attempt_at: null,
      last_error: "endpoint_gone",
      updated_at: now,
      completed_at: now,
    })
    .where("endpoint_id", "=", endpoint.id)
    .where("status", "=", "pending")
    .executeTakeFirst();
  await appendAudit(
    tx,
    { actor: SYSTEM_ACTOR, requestId: null, clientAddr: null },
    {
      action: "webhook.disabled",
      orgId: scope.orgId,
      targetType: "webhook",
      targetId: endpoint.id,
      details: {
        reason: "gone",
        deliveryId: claimed.id,
        cancelledDeliveries: Number(cancelled.numUpdatedRows),
      },
    },
  );
}
