import { AppError } from "../../../core/errors.ts";
import * as api from "../../api/operations.ts";
import type { BrandingBody } from "../../api/types.ts";
import { optionalString, orgScope, type RawInput } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { PARTNER_OPTIONS } from "../options.ts";
import { brandingView } from "./view.ts";

/** Each option as given: a value, "" to clear it, or absent to keep the current one. */
type Changes = { [K in keyof BrandingBody]?: BrandingBody[K] };

/** `""` clears an optional field; the daemon checks the values themselves. */
function cleared(raw: RawInput, key: "logoUrl" | "primaryColor" | "accentColor") {
  const value = optionalString(raw, key);
  if (value === undefined) return {};
  return { [key]: value.trim() === "" ? null : value.trim() };
}

export const brandingSet = defineCommand({
  name: "branding set",
  summary: "Change the public branding a partner's verified domains serve",
  options: [
    ...PARTNER_OPTIONS,
    { flags: "--display-name <name>", description: "name shown (1 to 100 characters)" },
    { flags: "--logo-url <url>", description: 'https URL of the logo ("" removes it)' },
    { flags: "--primary-color <hex>", description: 'primary colour #rrggbb ("" removes it)' },
    { flags: "--accent-color <hex>", description: 'accent colour #rrggbb ("" removes it)' },
  ],
  operation: "PUT /v1/branding",

  parse(raw) {
    const displayName = optionalString(raw, "displayName");
    const changes: Changes = {
      ...(displayName === undefined ? {} : { displayName }),
      ...cleared(raw, "logoUrl"),
      ...cleared(raw, "primaryColor"),
      ...cleared(raw, "accentColor"),
    };
    if (Object.keys(changes).length === 0) {
      throw new AppError(
        "VALIDATION_FAILED",
        "give at least one of --display-name, --logo-url, --primary-color, --accent-color",
      );
    }
    return { org: orgScope(raw), changes };
  },

  // The daemon replaces the branding whole; options not given keep their current value.
  async run(input, context) {
    const { http } = await context.session();
    const { orgId: _org, updatedAt: _at, ...current } = await api.getBranding(http, input.org);
    return api.putBranding(http, input.org, { ...current, ...input.changes });
  },

  view: brandingView,
});
