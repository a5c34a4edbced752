import type { OutboundPolicy } from "../../core/outbound/policy.ts";
import type { Resolver } from "../../core/outbound/resolve.ts";
import type { LiveKeyring } from "../../core/secrets/live-keyring.ts";
import type { DomainSettings } from "../../core/services/domains.ts";
import type { KeyRotation } from "../../core/services/key-rotation.ts";
import type { LoginPolicy } from "../../core/services/sessions.ts";
import type { DeliveryWorker } from "../../core/webhooks/worker.ts";
import type { Api } from "../api.ts";
import { auditRoutes } from "./audit.ts";
import { authRoutes } from "./auth.ts";
import { brandingRoutes } from "./branding.ts";
import { credentialRoutes } from "./credentials.ts";
import { crossPartnerRoutes } from "./cross-partner.ts";
import { customerRoutes } from "./customers.ts";
import { dealRoutes } from "./deals.ts";
import { domainRoutes } from "./domains.ts";
import { eventRoutes } from "./events.ts";
import { healthRoutes } from "./health.ts";
import { keyRoutes } from "./keys.ts";
import { masterKeyRoutes } from "./master-key.ts";
import { meRoutes } from "./me.ts";
import { portalRoutes } from "./portal.ts";
import { productRoutes } from "./products.ts";
import { tenantRoutes } from "./tenants.ts";
import { userRoutes } from "./users.ts";
import { webhookDeliveryRoutes } from "./webhook-deliveries.ts";
import { webhookRoutes } from "./webhooks.ts";

/** The single list of every route the daemon serves. */
export function registerRoutes(
  api: Api,
  options: {
    loginPolicy: LoginPolicy;
    keys: LiveKeyring;
    rotation: KeyRotation;
    outbound: OutboundPolicy;
    /** How webhook destinations are resolved at registration; the system's by default. */
    outboundResolve?: Resolver;
    domains: DomainSettings;
    deliveries: DeliveryWorker;
  },
): void {
  healthRoutes(api);
  authRoutes(api, options.loginPolicy);
  meRoutes(api);
  tenantRoutes(api);
  userRoutes(api);
  keyRoutes(api);
  auditRoutes(api);
  productRoutes(api);
  customerRoutes(api);
  dealRoutes(api);
  eventRoutes(api, options.deliveries);
  crossPartnerRoutes(api);
  masterKeyRoutes(api, options.keys, options.rotation);
  credentialRoutes(api, options.keys, options.outbound);
  domainRoutes(api, options.domains);
  brandingRoutes(api);
  portalRoutes(api);
  webhookRoutes(api, {
    keys: options.keys,
    outbound: options.outbound,
    ...(options.outboundResolve ? { resolve: options.outboundResolve } : {}),
  });
  webhookDeliveryRoutes(api, options.deliveries);
}
