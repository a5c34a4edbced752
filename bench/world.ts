import { rmSync } from "node:fs";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import { createApp } from "../daemon/app.ts";
import {
  BARE_DEAL_PATH,
  BARE_DEAL_ROUTE_KEYS,
  BARE_DEALS_PATH,
  openBareDeals,
  PAGE_SIZE,
} from "./bare-deals.ts";
import { call, get, text } from "./http.ts";
import { createCatalogue, seedPartnerDeals } from "./partner-deals.ts";
import { BENCH_SESSION_TTL_MS, benchStore, listen } from "./server.ts";

export const ME_PATH = "/v1/me";
export const BARE_PATH = "/bench/bare-me";
export const DEALS_PATH = `/v1/deals?limit=${PAGE_SIZE}`;

/** Deals of the keyed partner, and of a second partner the key must not see. */
const DEALS_PER_PARTNER = 2_000;

/** One real daemon server holding partner orgs, a machine key and the bare baseline routes. */
export interface BenchWorld {
  url: string;
  /** Bearer token of the partner's machine key. */
  keyToken: string;
  /** The exact bytes `GET /v1/me` answers for that key; the bare route answers the same. */
  meBody: string;
  /** Body bytes of the first deals page; the bare list answers the same. */
  dealsBody: string;
  /** A deal of the keyed partner, its API path and its bare path; both answer the same bytes. */
  dealId: string;
  dealPath: string;
  bareDealPath: string;
  dealBody: string;
  dealsPerPartner: number;
  stop(): Promise<void>;
}

/**
 * Builds the world in a private temp dir: store, operator, two partner
 * tenants, a catalogue, customers and a machine key (through the HTTP API),
 * then many deals written straight into the store. Logs go to a file at level
 * info through an async destination, as the daemon logs to stdout.
 */
export async function startBenchWorld(): Promise<BenchWorld> {
  const { dir, dbPath, store, destination, logger, boot } = await benchStore("partneros-bench-");

  // Filled in once the key exists; the bare routes are not called before then.
  const baseline: { body: unknown } = { body: null };
  const bareDeals = openBareDeals(dbPath);
  const { app, authenticator } = createApp({
    store,
    logger,
    loginPolicy: defaultLoginPolicy(BENCH_SESSION_TTL_MS),
    keys: LiveKeyring.ephemeral(),
    extra: (extraApp) => {
      extraApp.get(BARE_PATH, (c) => c.json(baseline.body));
      bareDeals.mount(extraApp);
    },
    extraRouteKeys: [`GET ${BARE_PATH}`, ...BARE_DEAL_ROUTE_KEYS],
  });
  const { server, url } = await listen(app.fetch);

  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await authenticator.drain();
    bareDeals.close();
    await store.close();
    destination.flushSync();
    destination.end();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const operator = boot.sessionToken;
    const tenant = await call(url, "POST", "/v1/tenants", operator, {
      slug: "bench-partner",
      name: "Bench Partner",
    });
    const other = await call(url, "POST", "/v1/tenants", operator, {
      slug: "bench-other",
      name: "Bench Other Partner",
    });
    const created = await call(url, "POST", `/v1/keys?org=${tenant.slug}`, operator, {
      name: "bench",
    });
    const keyToken: string = created.token;
    const meBody = await text(url, ME_PATH, keyToken);
    baseline.body = JSON.parse(meBody);
    await sameBytes(url, keyToken, ME_PATH, BARE_PATH, meBody);

    const productIds = await createCatalogue(url, operator);
    const [mine, theirs] = await seedPartnerDeals(
      url,
      operator,
      dbPath,
      [tenant, other],
      productIds,
      DEALS_PER_PARTNER,
    );
    if (!mine || !theirs) throw new Error("seeding returned no orgs");
    bareDeals.listOrg(mine.id);
    const dealsBody = await text(url, DEALS_PATH, keyToken);
    await sameBytes(url, keyToken, DEALS_PATH, BARE_DEALS_PATH, dealsBody);

    const dealId = mine.dealIds[Math.floor(mine.dealIds.length / 2)] ?? "";
    const dealPath = `/v1/deals/${dealId}`;
    const bareDealPath = `${BARE_DEAL_PATH}/${dealId}`;
    const dealBody = await text(url, dealPath, keyToken);
    await sameBytes(url, keyToken, dealPath, bareDealPath, dealBody);
    // Scoping must matter: the other partner's deal is invisible to this key.
    const foreign = await get(url, `/v1/deals/${theirs.dealIds[0]}`, keyToken);
    if (foreign.status !== 404) throw new Error(`a foreign deal answered ${foreign.status}`);

    return {
      url,
      keyToken,
      meBody,
      dealsBody,
      dealId,
      dealPath,
      bareDealPath,
      dealBody,
      dealsPerPartner: DEALS_PER_PARTNER,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Throws unless the keyed request and the bare one both answer exactly `expected`. */
async function sameBytes(
  url: string,
  token: string,
  path: string,
  barePath: string,
  expected: string,
): Promise<void> {
  const actual = await text(url, path, token);
  const bare = await text(url, barePath);
  if (actual !== expected || bare !== expected) {
    throw new Error(`GET ${barePath} does not answer the same bytes as GET ${path}`);
  }
}
