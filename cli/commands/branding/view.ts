import type { Branding } from "../../api/types.ts";
import { fields, type View } from "../../output/view.ts";

const orNone = (value: string | null) => value ?? "(none)";

export function brandingView(branding: Branding): View {
  return [
    fields([
      ["org", branding.orgId],
      ["display name", branding.displayName],
      ["logo URL", orNone(branding.logoUrl)],
      ["primary colour", orNone(branding.primaryColor)],
      ["accent colour", orNone(branding.accentColor)],
      ["updated", branding.updatedAt ?? "never set: the org's name shows"],
    ]),
  ];
}
