/**
 * Secrets never leave the request that carries them: after logins, key
 * creation and rotation, an invitation and its acceptance, no password and no
 * token is found in the daemon log, the audit trail or the raw database file.
 * The log is also checked for what it must hold, so an empty log cannot pass.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_PREFIXES } from "../../core/tokens.ts";
import { createWorld, OWNER_EMAIL, OWNER_PASSWORD, type World } from "../harness.ts";
import {
  createTenant,
  expectStatus,
  type Tenant,
  uniqueEmail,
  uniquePassword,
  uniqueSlug,
} from "./actors.ts";

const SECRET_LABELS = [
  "the bootstrap owner's session",
  "the owner's password",
  "a wrong password",
  "a session from login",
  "a machine key",
  "a rotated key's successor",
  "an invitation",
  "the new user's password",
  "the new user's session",
] as const;

type SecretLabel = (typeof SECRET_LABELS)[number];

let world: World;
let tenant: Tenant;
let operatorOrgId: string;
const secrets = new Map<SecretLabel, string>();
let newcomerEmail: string;
let auditPage: { data: { action: string }[] };
/** Every request this file made, with the org its credential belongs to (null: none). */
const requests: { path: string; orgId: string | null }[] = [];

/** Sends a request and remembers it, so the log can be checked line by line against it. */
async function send(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; orgId?: string | null } = {},
) {
  const { orgId = null, ...rest } = options;
  requests.push({ path: path.split("?")[0] ?? path, orgId });
  return world.request(method, path, rest);
}

beforeAll(async () => {
  world = await createWorld();
  operatorOrgId = world.operatorOrgId;
  tenant = await createTenant(world, "quiet");
  secrets.set("the bootstrap owner's session", world.ownerToken);
  secrets.set("the owner's password", OWNER_PASSWORD);
  const owner = { token: world.ownerToken, orgId: operatorOrgId };

  const wrongPassword = uniquePassword();
  secrets.set("a wrong password", wrongPassword);
  const failed = await send("POST", "/v1/auth/login", {
    body: { email: OWNER_EMAIL, password: wrongPassword },
  });
  expectStatus(failed, 401);

  const ownerLogin = await send("POST", "/v1/auth/login", {
    body: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
  });
  expectStatus(ownerLogin, 200);
  secrets.set("a session from login", ownerLogin.body.token);

  const created = await send("POST", `/v1/keys?org=${tenant.slug}`, {
    ...owner,
    body: { name: uniqueSlug("leaky"), role: "partner_admin" },
  });
  expectStatus(created, 201);
  secrets.set("a machine key", created.body.token);
  const key = { token: created.body.token as string, orgId: tenant.id };
  expectStatus(await send("GET", "/v1/me", key), 200);

  const rotated = await send("POST", `/v1/keys/${created.body.key.id}/rotate`, {
    ...key,
    body: { gracePeriod: "1h" },
  });
  expectStatus(rotated, 201);
  secrets.set("a rotated key's successor", rotated.body.token);
  expectStatus(await send("GET", "/v1/keys", { token: rotated.body.token, orgId: tenant.id }), 200);

  const email = uniqueEmail("newcomer");
  const invited = await send("POST", "/v1/users", {
    ...key,
    body: { email, name: "Newcomer", role: "partner_viewer" },
  });
  expectStatus(invited, 201);
  secrets.set("an invitation", invited.body.invitation.token);

  const password = uniquePassword();
  secrets.set("the new user's password", password);
  const accepted = await send("POST", "/v1/invitations/accept", {
    body: { token: invited.body.invitation.token, password },
  });
  expectStatus(accepted, 200);
  const session = await send("POST", "/v1/auth/login", { body: { email, password } });
  expectStatus(session, 200);
  secrets.set("the new user's session", session.body.token);
  expectStatus(
    await send("GET", "/v1/users", { token: session.body.token, orgId: tenant.id }),
    200,
  );
  expectStatus(await send("GET", "/v1/me", { token: "pos_sess_not-a-real-session" }), 401);
  // The owner's own view, then the partner's records, which operators read by naming it.
  const own = await send("GET", "/v1/audit?limit=500", owner);
  const partner = await send("GET", `/v1/audit?limit=500&org=${tenant.slug}`, owner);
  expectStatus(own, 200);
  expectStatus(partner, 200);
  const byId = new Map(
    [...own.body.data, ...partner.body.data].map((record: { id: string }) => [record.id, record]),
  );
  auditPage = { ...own.body, data: [...byId.values()] };
  newcomerEmail = email;
});

afterAll(async () => {
  await world?.close();
});

/** Each secret as itself, without its prefix, and in the authorization header form. */
function forms(label: SecretLabel): string[] {
  const value = secrets.get(label);
  if (value === undefined) throw new Error(`the setup did not produce ${label}`);
  const prefix = Object.values(TOKEN_PREFIXES).find((p) => value.startsWith(p));
  return [value, `Bearer ${value}`, ...(prefix ? [value.slice(prefix.length)] : [])];
}

function parsedLogs(): Record<string, unknown>[] {
  return world.logs
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]);
}

describe("the daemon log", () => {
  it("has a request.completed line with requestId and orgId for every request", () => {
    const lines = parsedLogs().filter((line) => line.msg === "request.completed");

    expect(lines.length).toBeGreaterThanOrEqual(requests.length);
    for (const line of lines) {
      expect(line.requestId, JSON.stringify(line)).toMatch(/^req_/);
      expect(Object.hasOwn(line, "orgId"), JSON.stringify(line)).toBe(true);
    }
    expect(new Set(lines.map((line) => line.requestId)).size).toBe(lines.length);
  });

  it("names the org of the credential on the line of every authenticated request", () => {
    const lines = parsedLogs().filter((line) => line.msg === "request.completed");
    const mine = lines.slice(-requests.length);

    expect(mine.map((line) => line.path)).toEqual(requests.map((r) => r.path));
    expect(mine.map((line) => line.orgId)).toEqual(requests.map((r) => r.orgId));
  });

  it("holds no authorization header, cookie, body or credential field", () => {
    const keys = parsedLogs().flatMap(keysDeep);

    expect(keys.length).toBeGreaterThan(0);
    expect(
      keys.filter((key) => /authori[sz]ation|cookie|header|body|password|token/i.test(key)),
    ).toEqual([]);
  });

  it.each(SECRET_LABELS)("never holds %s", (label) => {
    const text = world.logs.join("");

    expect(text).toContain("request.completed");
    for (const form of forms(label)) expect(text).not.toContain(form);
  });
});

describe("the audit trail", () => {
  it("records the logins, keys and invitation this file made", () => {
    const actions = auditPage.data.map((record) => record.action);

    for (const action of [
      "session.created",
      "key.created",
      "key.rotated",
      "user.invited",
      "user.joined",
    ]) {
      expect(actions).toContain(action);
    }
  });

  it.each(SECRET_LABELS)("never answers with %s from GET /v1/audit", (label) => {
    const text = JSON.stringify(auditPage);

    for (const form of forms(label)) expect(text).not.toContain(form);
  });

  it.each(SECRET_LABELS)("never stores %s in the audit_log table", async (label) => {
    const rows = await world.store.db.selectFrom("audit_log").selectAll().execute();
    const text = JSON.stringify(rows);

    expect(rows.length).toBeGreaterThanOrEqual(auditPage.data.length);
    for (const form of forms(label)) expect(text).not.toContain(form);
  });
});

describe("the database file", () => {
  function storedBytes(): Buffer {
    const db = join(world.dir, "partneros.db");
    const wal = `${db}-wal`;
    return Buffer.concat([readFileSync(db), ...(existsSync(wal) ? [readFileSync(wal)] : [])]);
  }

  it("holds what was written, so the search below reads the right bytes", () => {
    const bytes = storedBytes();

    expect(bytes.includes(Buffer.from(tenant.slug))).toBe(true);
    expect(bytes.includes(Buffer.from(newcomerEmail))).toBe(true);
  });

  it.each(SECRET_LABELS)("never holds %s in plaintext, WAL included", (label) => {
    const bytes = storedBytes();

    for (const form of forms(label)) expect(bytes.includes(Buffer.from(form))).toBe(false);
  });
});
