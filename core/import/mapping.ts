import { AppError } from "../errors.ts";

/** Each entity's file and the CSV column behind each of its fields. */
export const DEFAULT_LAYOUT = {
  partners: {
    file: "partners.csv",
    columns: {
      slug: "partner_org",
      name: "name",
      adminName: "admin_name",
      adminEmail: "admin_email",
    },
  },
  users: {
    file: "sales_teams.csv",
    columns: { name: "sales_agent", email: "agent_email", partner: "partner_org" },
  },
  products: {
    file: "products.csv",
    columns: { name: "product", series: "series", price: "sales_price" },
  },
  customers: {
    file: "accounts.csv",
    columns: { name: "account", sector: "sector", country: "office_location" },
  },
  deals: {
    file: "sales_pipeline.csv",
    columns: {
      externalRef: "opportunity_id",
      agent: "sales_agent",
      product: "product",
      customer: "account",
      stage: "deal_stage",
      engageDate: "engage_date",
      closeDate: "close_date",
      amount: "close_value",
    },
  },
} as const;

export type Entity = keyof typeof DEFAULT_LAYOUT;
export type Layout = {
  [E in Entity]: {
    file: string;
    columns: Record<keyof (typeof DEFAULT_LAYOUT)[E]["columns"], string>;
  };
};

/**
 * Applies `entity.field=column` and `entity=file.csv` overrides to the default
 * layout, refusing names it does not know.
 */
export function buildLayout(overrides: readonly string[]): Layout {
  const layout = structuredClone(DEFAULT_LAYOUT) as unknown as Layout;
  for (const override of overrides) {
    const match = /^([a-z]+)(?:\.([A-Za-z]+))?=(.+)$/.exec(override);
    const entity = match?.[1] as Entity | undefined;
    if (!match || !entity || !(entity in layout)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `cannot read mapping ${override}: use entity.field=column or entity=file.csv`,
      );
    }
    const target = layout[entity] as { file: string; columns: Record<string, string> };
    const [, , field, value = ""] = match;
    if (field === undefined) {
      target.file = value;
    } else if (field in target.columns) {
      target.columns[field] = value;
    } else {
      const known = Object.keys(target.columns).join(", ");
      throw new AppError("VALIDATION_FAILED", `${entity} has no field ${field} (fields: ${known})`);
    }
  }
  return layout;
}
