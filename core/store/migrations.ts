import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

/**
 * Forward-only migrations, applied in name order at start-up. Never edit one
 * that has shipped; add the next number instead.
 */
const migrations: Record<string, Migration> = {
  "0001_backbone": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("orgs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("account_type", "text", (c) =>
          c.notNull().check(sql`account_type in ('operator', 'partner')`),
        )
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('active', 'suspended')`),
        )
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('invited', 'active', 'removed')`),
        )
        .addColumn("password_hash", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      // Emails are unique per org, not globally: a global constraint would let
      // one tenant learn which addresses another tenant has.
      await db.schema
        .createIndex("users_org_email")
        .unique()
        .on("users")
        .columns(["org_id", "email"])
        .execute();
      await db.schema.createIndex("users_email").on("users").column("email").execute();

      await db.schema
        .createTable("invitations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("accepted_at", "text")
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("last_used_at", "text")
        .execute();

      await db.schema
        .createTable("machine_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("scopes", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .addColumn("revoked_at", "text")
        .addColumn("last_used_at", "text")
        .addColumn("rotated_to", "text")
        .execute();
      await db.schema.createIndex("machine_keys_org").on("machine_keys").column("org_id").execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("seq", "integer", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor_kind", "text", (c) => c.notNull())
        .addColumn("actor_id", "text", (c) => c.notNull())
        .addColumn("actor_org_id", "text")
        .addColumn("org_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target_type", "text", (c) => c.notNull())
        .addColumn("target_id", "text")
        .addColumn("request_id", "text")
        .addColumn("client_addr", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("audit_log_org")
        .on("audit_log")
        .columns(["org_id", "seq"])
        .execute();
    },
  },
  "0002_partner_data": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("products")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("code", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("series", "text")
        .addColumn("list_price", "integer")
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("customers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("external_ref", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sector", "text")
        .addColumn("country", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("customers_org_ref")
        .unique()
        .on("customers")
        .columns(["org_id", "external_ref"])
        .execute();
      await db.schema
        .createIndex("customers_org_name")
        .on("customers")
        .columns(["org_id", "name"])
        .execute();

      await db.schema
        .createTable("deals")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("external_ref", "text", (c) => c.notNull())
        .addColumn("product_id", "text", (c) => c.notNull().references("products.id"))
        .addColumn("customer_id", "text", (c) => c.references("customers.id"))
        .addColumn("stage", "text", (c) =>
          c.notNull().check(sql`stage in ('Prospecting', 'Engaging', 'Won', 'Lost')`),
        )
        .addColumn("amount", "integer", (c) => c.check(sql`amount >= 0`))
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("engage_date", "text")
        .addColumn("close_date", "text")
        .addColumn("owner_user_id", "text", (c) => c.references("users.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("deals_org_ref")
        .unique()
        .on("deals")
        .columns(["org_id", "external_ref"])
        .execute();
      for (const column of ["stage", "product_id", "customer_id", "close_date", "created_at"]) {
        await db.schema
          .createIndex(`deals_org_${column}`)
          .on("deals")
          .columns(["org_id", column, "id"])
          .execute();
      }
      // Cross-partner aggregates group along one of these two covering
      // indexes, in index order, so SQLite never reads a table row or sorts.
      await db.schema
        .createIndex("deals_partner_rollup")
        .on("deals")
        .columns(["stage", "org_id", "currency", "product_id", "close_date", "amount"])
        .execute();
      await db.schema
        .createIndex("deals_close_rollup")
        .on("deals")
        .columns(["close_date", "currency", "product_id", "stage", "org_id", "amount"])
        .execute();

      // Deal counts and totals per close date, stage, product and currency
      // across all partners, kept in step with every deal write; answers
      // all-partner aggregates without scanning the deals.
      await db.schema
        .createTable("deal_daily_totals")
        .addColumn("close_date", "text", (c) => c.notNull())
        .addColumn("stage", "text", (c) => c.notNull())
        .addColumn("product_id", "text", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("deals", "integer", (c) => c.notNull())
        .addColumn("total", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("deal_daily_totals_pk", [
          "close_date",
          "stage",
          "product_id",
          "currency",
        ])
        .execute();
    },
  },
  "0003_master_keys": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("master_key_usage")
        .addColumn("version", "integer", (c) => c.primaryKey())
        .addColumn("encryptions", "integer", (c) => c.notNull().check(sql`encryptions >= 0`))
        .execute();
    },
  },
  "0004_credentials": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("credentials")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) =>
          c.notNull().check(sql`kind in ('smtp', 'api_key', 'oauth')`),
        )
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("secrets", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addUniqueConstraint("credentials_org_name", ["org_id", "name"])
        .execute();
    },
  },
  "0005_sealed_key_versions": {
    async up(db: Kysely<unknown>) {
      // Which master key version seals a row, and how many ciphertexts it
      // holds, kept beside the values so rotation and status need no full scan.
      await db.schema
        .alterTable("credentials")
        .addColumn("key_version", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("credentials")
        .addColumn("sealed_fields", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      const rows = await sql<{ id: string; secrets: string }>`
        select id, secrets from credentials`.execute(db);
      for (const row of rows.rows) {
        const values = Object.values(JSON.parse(row.secrets) as Record<string, string>);
        const version = Number(/^pos1\.k(\d+)\./.exec(values[0] ?? "")?.[1] ?? 0);
        await sql`update credentials set key_version = ${version},
          sealed_fields = ${values.length} where id = ${row.id}`.execute(db);
      }
      await db.schema
        .createIndex("credentials_key_version")
        .on("credentials")
        .columns(["key_version", "id"])
        .execute();
      await db.schema.alterTable("master_key_usage").addColumn("retired_at", "text").execute();
    },
  },
  "0006_domains": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("domains")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("hostname", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('pending', 'verified', 'unverified')`),
        )
        .addColumn("challenge", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("verified_at", "text")
        .addColumn("last_checked_at", "text")
        .addColumn("last_check_error", "text")
        .addUniqueConstraint("domains_org_hostname", ["org_id", "hostname"])
        .execute();
      // One org at most holds a hostname verified; others may only claim it.
      await db.schema
        .createIndex("domains_verified_hostname")
        .on("domains")
        .column("hostname")
        .unique()
        .where(sql.ref("status"), "=", "verified")
        .execute();
      await db.schema
        .createTable("org_branding")
        .addColumn("org_id", "text", (c) => c.primaryKey().references("orgs.id"))
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("logo_url", "text")
        .addColumn("primary_color", "text")
        .addColumn("accent_color", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0007_events_and_webhooks": {
    async up(db: Kysely<unknown>) {
      // Partner events pushed through POST /v1/events; `external_id` is the
      // partner's own id, unique per org, so a retried push is a duplicate.
      await db.schema
        .createTable("events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) =>
          c.notNull().check(sql`type in ('click', 'lead', 'signup', 'sale', 'refund')`),
        )
        .addColumn("occurred_at", "text", (c) => c.notNull())
        .addColumn("amount", "integer")
        .addColumn("currency", "text")
        .addColumn("customer_id", "text")
        .addColumn("deal_id", "text")
        .addColumn("attributes", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("fingerprint", "text", (c) => c.notNull())
        .addColumn("received_at", "text", (c) => c.notNull())
        .addColumn("received_by", "text", (c) => c.notNull())
        .addUniqueConstraint("events_org_external", ["org_id", "external_id"])
        .execute();
      await db.schema
        .createIndex("events_org_occurred")
        .on("events")
        .columns(["org_id", "occurred_at", "id"])
        .execute();

      await db.schema
        .createTable("webhook_endpoints")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("event_types", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) =>
          c.notNull().check(sql`status in ('enabled', 'disabled')`),
        )
        .addColumn("disabled_reason", "text")
        .addColumn("secrets", "text", (c) => c.notNull())
        .addColumn("previous_expires_at", "text")
        .addColumn("key_version", "integer", (c) => c.notNull())
        .addColumn("sealed_fields", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("webhook_endpoints_org")
        .on("webhook_endpoints")
        .columns(["org_id", "status"])
        .execute();
      await db.schema
        .createIndex("webhook_endpoints_key_version")
        .on("webhook_endpoints")
        .columns(["key_version", "id"])
        .execute();

      // The outbox: a message is written in the same transaction as what it
      // announces, with one delivery per endpoint subscribed at that moment.
      await db.schema
        .createTable("webhook_messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("event_type", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("message_id", "text", (c) =>
          c.notNull().references("webhook_messages.id").onDelete("cascade"),
        )
        .addColumn("endpoint_id", "text", (c) =>
          c.notNull().references("webhook_endpoints.id").onDelete("cascade"),
        )
        .addColumn("status", "text", (c) =>
          c
            .notNull()
            .check(sql`status in ('pending', 'sending', 'succeeded', 'failed', 'cancelled')`),
        )
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        // Attempts made before the current retry schedule began: a replay starts a new one.
        .addColumn("schedule_start", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "text")
        .addColumn("lease_until", "text")
        .addColumn("last_status_code", "integer")
        .addColumn("last_error", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("completed_at", "text")
        .addUniqueConstraint("webhook_deliveries_message_endpoint", ["message_id", "endpoint_id"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["status", "next_attempt_at"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_endpoint")
        .on("webhook_deliveries")
        .columns(["org_id", "endpoint_id", "created_at", "id"])
        .execute();
      await db.schema
        .createTable("webhook_attempts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id"))
        .addColumn("delivery_id", "text", (c) =>
          c.notNull().references("webhook_deliveries.id").onDelete("cascade"),
        )
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("trigger", "text", (c) =>
          c.notNull().check(sql`trigger in ('schedule', 'replay', 'test')`),
        )
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addColumn("status_code", "integer")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("response_excerpt", "text")
        .execute();
      // One row per attempt number: a late writer cannot add a second.
      await db.schema
        .createIndex("webhook_attempts_delivery")
        .on("webhook_attempts")
        .columns(["delivery_id", "attempt"])
        .unique()
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
