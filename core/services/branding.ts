import { appendAudit } from "../audit.ts";
import { nowIso } from "../clock.ts";
import { hostOfHeader } from "../domains/hostname.ts";
import { AppError, notFound } from "../errors.ts";
import type { OrgScope } from "../scope.ts";
import type { OrgBrandingTable } from "../store/schema.ts";
import type { Store } from "../store/store.ts";
import { partnerData, portalReads } from "../tenancy/partner-data.ts";
import { isShowable, replaceUnshowable } from "../text.ts";
import type { ServiceContext } from "./context.ts";

/** A partner org's branding as the API shows it to the org and its operators. */
export interface Branding {
  orgId: string;
  displayName: string;
  logoUrl: string | null;
  primaryColor: string | null;
  accentColor: string | null;
  /** Null while the org has never set its branding and shows its name. */
  updatedAt: string | null;
}

/** What a verified domain shows anyone: the branding and nothing else about the org. */
export interface PublicBranding {
  hostname: string;
  displayName: string;
  logoUrl: string | null;
  primaryColor: string | null;
  accentColor: string | null;
}

export interface BrandingInput {
  displayName: string;
  logoUrl?: string | null;
  primaryColor?: string | null;
  accentColor?: string | null;
}

export const DISPLAY_NAME_MAX = 100;
export const LOGO_URL_MAX = 2048;
const COLOR = /^#[0-9a-f]{6}$/i;

const invalid = (message: string) => new AppError("VALIDATION_FAILED", message);

function displayName(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.length > DISPLAY_NAME_MAX || !isShowable(trimmed)) {
    throw invalid(
      `displayName: 1 to ${DISPLAY_NAME_MAX} characters, ` +
        "no control, format or separator characters",
    );
  }
  return trimmed;
}

/**
 * An org name made fit for the public page when the org has set no branding:
 * names come from operators and imports under looser rules.
 */
function showableName(name: string): string {
  const cleaned = replaceUnshowable(name, " ").replace(/\s+/g, " ").trim();
  return [...cleaned].slice(0, DISPLAY_NAME_MAX).join("") || "Partner portal";
}

/** An https URL without credentials, in its parsed spelling; browsers load it from anywhere. */
function logoUrl(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid("logoUrl: not a URL");
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "") {
    throw invalid("logoUrl: must be an https URL without user or password");
  }
  if (url.href.length > LOGO_URL_MAX) throw invalid(`logoUrl: at most ${LOGO_URL_MAX} characters`);
  return url.href;
}

function color(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (!COLOR.test(value)) throw invalid(`${field}: must be #rrggbb`);
  return value.toLowerCase();
}

function toBranding(orgId: string, row: OrgBrandingTable): Branding {
  return {
    orgId,
    displayName: row.display_name,
    logoUrl: row.logo_url,
    primaryColor: row.primary_color,
    accentColor: row.accent_color,
    updatedAt: row.updated_at,
  };
}

/** The org's name and no colours: what an org that never set its branding shows. */
function defaultBranding(orgId: string, name: string): OrgBrandingTable {
  return {
    org_id: orgId,
    display_name: showableName(name),
    logo_url: null,
    primary_color: null,
    accent_color: null,
    // Never shown: an org without a row answers updatedAt null.
    updated_at: "",
  };
}

/** The scoped org's branding; its name and nulls when it has set none. */
export async function getBranding(ctx: ServiceContext, scope: OrgScope): Promise<Branding> {
  const row = await partnerData(ctx.store.db, scope).branding().selectAll().executeTakeFirst();
  if (row) return toBranding(scope.orgId, row);
  const org = await ctx.store.db
    .selectFrom("orgs")
    .select("name")
    .where("id", "=", scope.orgId)
    .executeTakeFirstOrThrow();
  return { ...toBranding(scope.orgId, defaultBranding(scope.orgId, org.name)), updatedAt: null };
}

/** Replaces the scoped org's branding whole; omitted fields become null. Audited. */
export async function putBranding(
  ctx: ServiceContext,
  scope: OrgScope,
  input: BrandingInput,
): Promise<Branding> {
  const values: Omit<OrgBrandingTable, "org_id"> = {
    display_name: displayName(input.displayName),
    logo_url: logoUrl(input.logoUrl),
    primary_color: color("primaryColor", input.primaryColor),
    accent_color: color("accentColor", input.accentColor),
    updated_at: nowIso(),
  };

  return ctx.store.transaction(async (tx) => {
    await partnerData(tx, scope).putBranding(values).execute();
    await appendAudit(tx, ctx, {
      action: "branding.updated",
      orgId: scope.orgId,
      targetType: "org",
      targetId: scope.orgId,
      details: {
        displayName: values.display_name,
        logoUrl: values.logo_url,
        primaryColor: values.primary_color,
        accentColor: values.accent_color,
      },
    });
    return toBranding(scope.orgId, { org_id: scope.orgId, ...values });
  });
}

/**
 * The public branding a Host header resolves to. Only a verified domain of an
 * active org resolves; every other host gets the same 404, so an answer never
 * tells a pending claim from an unknown name, nor falls back to any tenant.
 */
export function portalBrandingOrThrow(
  store: Store,
  hostHeader: string | undefined,
): PublicBranding {
  const reads = portalReads(store);
  const domain = reads.verifiedDomain(hostOfHeader(hostHeader));
  const org =
    domain &&
    store.readFirst(
      store.db
        .selectFrom("orgs")
        .select(["name", "status"])
        .where("id", "=", domain.org_id)
        .where("account_type", "=", "partner"),
    );
  if (!domain || !org || org.status !== "active") throw notFound("portal");
  const row = reads.branding(domain.org_id) ?? defaultBranding(domain.org_id, org.name);
  return {
    hostname: domain.hostname,
    displayName: row.display_name,
    logoUrl: row.logo_url,
    primaryColor: row.primary_color,
    accentColor: row.accent_color,
  };
}
