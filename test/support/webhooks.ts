/** A loopback webhook receiver and endpoint rows for the delivery suites. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { vi } from "vitest";
import { newId } from "../../core/ids.ts";
import type { OrgScope } from "../../core/scope.ts";
import { encryptSecret } from "../../core/secrets/envelope.ts";
import type { Keyring } from "../../core/secrets/keyring.ts";
import type { Secret } from "../../core/secrets/secret.ts";
import { sharedCounter } from "../../core/secrets/usage.ts";
import type { Store } from "../../core/store/store.ts";
import { partnerData } from "../../core/tenancy/partner-data.ts";
import { signingSecretBinding } from "../../core/webhooks/endpoint-secrets.ts";
import { type Announcement, announce } from "../../core/webhooks/outbox.ts";
import { newSigningSecret } from "../../core/webhooks/signature.ts";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

/** What the receiver answers one request with; `hang` never answers. */
export type Reply = { status: number; body?: string; hang?: boolean };

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; 200 by default. */
  reply: (request: Received) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(host = "127.0.0.1"): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    received: [],
    reply: () => ({ status: 200 }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        path: req.url ?? "",
      };
      receiver.received.push(request);
      const answer = receiver.reply(request);
      if (answer.hang) return;
      res.writeHead(answer.status, { "content-type": "text/plain" });
      res.end(answer.body ?? "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  receiver.url = `http://${host}:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export const scopeOf = (orgId: string): OrgScope => ({
  orgId,
  orgSlug: orgId,
  accountType: "partner",
  crossOrg: false,
});

export interface EndpointRow {
  id: string;
  secret: string;
  previous?: string;
}

/** An endpoint row with sealed secrets, written the way the endpoint service writes one. */
export async function insertEndpoint(
  store: Store,
  keyring: Keyring,
  orgId: string,
  url: string,
  options: { types?: string[]; previous?: { expiresAt: string }; id?: string } = {},
): Promise<EndpointRow> {
  const id = options.id ?? newId("webhook");
  const row = { org_id: orgId, id };
  const counter = await sharedCounter(store);
  await counter.reserve(keyring.primary, 2);
  const signing = newSigningSecret();
  const previous = options.previous ? newSigningSecret() : undefined;
  const seal = (field: "signing" | "previous", secret: Secret) =>
    encryptSecret(keyring, counter, signingSecretBinding(row, field), secret);
  const secrets: Record<string, string> = { signing: seal("signing", signing) };
  if (previous) secrets.previous = seal("previous", previous);
  const now = new Date().toISOString();
  await partnerData(store.db, scopeOf(orgId))
    .insertWebhookEndpoint({
      id,
      url,
      description: "test receiver",
      event_types: JSON.stringify(options.types ?? ["event.sale"]),
      status: "enabled",
      disabled_reason: null,
      secrets: JSON.stringify(secrets),
      previous_expires_at: options.previous?.expiresAt ?? null,
      key_version: keyring.primary,
      sealed_fields: previous ? 2 : 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const text = (secret: Secret) => secret.use((value) => value);
  return { id, secret: text(signing), ...(previous ? { previous: text(previous) } : {}) };
}

/** Queues announcements for an org the way event ingest does, in one transaction. */
export function queue(
  store: Store,
  orgId: string,
  announcements: readonly Announcement[],
  now = new Date().toISOString(),
): Promise<number> {
  return store.transaction((tx) => announce(tx, scopeOf(orgId), announcements, now));
}

/**
 * Verifies one received request with the independent standardwebhooks
 * package, as a receiver whose clock reads the attempt's own time.
 */
export function verifies(secret: string, request: Received): boolean {
  const timestamp = Number(request.headers["webhook-timestamp"]);
  vi.useFakeTimers({ toFake: ["Date"], now: timestamp * 1000 });
  try {
    new Webhook(secret).verify(request.body, {
      "webhook-id": String(request.headers["webhook-id"]),
      "webhook-timestamp": String(request.headers["webhook-timestamp"]),
      "webhook-signature": String(request.headers["webhook-signature"]),
    });
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}
