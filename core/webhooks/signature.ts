import { createHmac, randomBytes } from "node:crypto";
import { Secret } from "../secrets/secret.ts";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is
 * `whsec_` and the base64 of its key bytes; a signature is `v1,` and the
 * base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under those
 * bytes. Several signatures travel space-separated in one header, which is
 * how a receiver keeps verifying across a secret rotation.
 */
export const SECRET_PREFIX = "whsec_";
const KEY_BYTES = 32;

/** A fresh signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): Secret {
  return new Secret(`${SECRET_PREFIX}${randomBytes(KEY_BYTES).toString("base64")}`);
}

/** `v1,<base64 HMAC-SHA256>` of one message under one secret. */
export function signatureOf(
  secret: Secret,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = secret.use((text) => Buffer.from(text.slice(SECRET_PREFIX.length), "base64"));
  const mac = createHmac("sha256", key)
    .update(`${messageId}.${timestampSeconds}.${body}`, "utf8")
    .digest("base64");
  key.fill(0);
  return `v1,${mac}`;
}

/**
 * The three headers of one attempt. Every secret in `secrets` signs (the
 * current one first, then one still inside its grace window).
 */
export function webhookHeaders(
  secrets: readonly Secret[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  if (secrets.length === 0) throw new Error("a webhook needs at least one signing secret");
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets
      .map((secret) => signatureOf(secret, messageId, timestampSeconds, body))
      .join(" "),
  };
}
