/**
 * Shared by the security suites. Seeds actors of every role through the public
 * API, the way an operator would: tenants, machine keys and invited users who
 * accept and log in. Every step checks its own answer, so a broken seed fails
 * here and not as a confusing assertion later. Also holds the one check of the
 * error body, and small helpers for readable table-driven test names.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { ERROR_CODES, type ErrorCode, isErrorCode } from "../../core/errors.ts";
import { type IdKind, isId, newId } from "../../core/ids.ts";
import { accountTypeOfRole, type Permission, ROLES, type Role } from "../../core/permissions.ts";
import { OWNER_EMAIL, OWNER_PASSWORD, type World } from "../harness.ts";

/** The slug `bootstrapOperator` gives the operator org. */
export const OPERATOR_SLUG = "operator";

export type CredentialKind = "key" | "session";

export interface Tenant {
  id: string;
  slug: string;
}

export interface SeededActor {
  label: string;
  role: Role;
  kind: CredentialKind;
  token: string;
  /** The key id, or the user id for a session. */
  id: string;
  email?: string;
  password?: string;
}

export interface SeededUser extends SeededActor {
  kind: "session";
  email: string;
  password: string;
}

type Response = Awaited<ReturnType<World["request"]>>;

/** Fails with the whole answer in the message when the status is not the expected one. */
export function expectStatus(res: Response, status: number): void {
  expect(res.status, `unexpected answer ${JSON.stringify(res.body)}`).toBe(status);
}

export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.test`;
}

/** A password nobody else in the test run uses, so finding it anywhere means it leaked. */
export function uniquePassword(): string {
  return `pw-${randomBytes(12).toString("base64url")}`;
}

/** A well-formed id of the given kind that matches no row. */
export function unknownId(kind: IdKind): string {
  return newId(kind);
}

export function actorLabel(role: Role, kind: CredentialKind): string {
  return `${role} ${kind}`;
}

/** The org a role lives in: operator roles in the operator org, partner roles in `partner`. */
export function homeOrg(role: Role, partner: Tenant): string {
  return accountTypeOfRole(role) === "operator" ? OPERATOR_SLUG : partner.slug;
}

export async function createTenant(world: World, prefix = "partner"): Promise<Tenant> {
  const res = await world.request("POST", "/v1/tenants", {
    token: world.ownerToken,
    body: { slug: uniqueSlug(prefix), name: `Tenant ${prefix}` },
  });
  expectStatus(res, 201);
  return { id: res.body.id, slug: res.body.slug };
}

export async function createKey(
  world: World,
  org: string,
  input: { role?: Role; scopes?: Permission[]; expiresIn?: string; name?: string } = {},
  token = world.ownerToken,
): Promise<{ id: string; token: string }> {
  const res = await world.request("POST", `/v1/keys?org=${org}`, {
    token,
    body: { name: input.name ?? uniqueSlug("key"), ...input },
  });
  expectStatus(res, 201);
  return { id: res.body.key.id, token: res.body.token };
}

export async function login(world: World, email: string, password: string): Promise<string> {
  const res = await world.request("POST", "/v1/auth/login", { body: { email, password } });
  expectStatus(res, 200);
  return res.body.token;
}

/** Invites a user (not yet accepted): no password hash is spent. */
export async function inviteUser(
  world: World,
  org: string,
  role: Role,
  token = world.ownerToken,
): Promise<{ id: string; email: string; invitation: string }> {
  const email = uniqueEmail(role);
  const res = await world.request("POST", `/v1/users?org=${org}`, {
    token,
    body: { email, name: `User ${role}`, role },
  });
  expectStatus(res, 201);
  return { id: res.body.user.id, email, invitation: res.body.invitation.token };
}

/** Invites, accepts and logs in a user: two argon2 operations, so use sparingly. */
export async function createUser(world: World, org: string, role: Role): Promise<SeededUser> {
  const invited = await inviteUser(world, org, role);
  const password = uniquePassword();
  const accepted = await world.request("POST", "/v1/invitations/accept", {
    body: { token: invited.invitation, password },
  });
  expectStatus(accepted, 200);
  return {
    label: actorLabel(role, "session"),
    role,
    kind: "session",
    token: await login(world, invited.email, password),
    id: invited.id,
    email: invited.email,
    password,
  };
}

/**
 * One machine key per role holding the role's full permission set, and a user
 * session for each role in `sessionRoles`. The owner session is the
 * bootstrap owner's, so it costs no extra password hash.
 */
export async function seedActors(
  world: World,
  partner: Tenant,
  sessionRoles: readonly Role[],
): Promise<Map<string, SeededActor>> {
  const actors = new Map<string, SeededActor>();
  for (const role of ROLES) {
    const org = homeOrg(role, partner);
    const key = await createKey(world, org, { role, name: `${role} key` });
    actors.set(actorLabel(role, "key"), {
      label: actorLabel(role, "key"),
      role,
      kind: "key",
      token: key.token,
      id: key.id,
    });
  }
  for (const role of sessionRoles) {
    const user =
      role === "owner"
        ? await ownerSession(world)
        : await createUser(world, homeOrg(role, partner), role);
    actors.set(user.label, user);
  }
  return actors;
}

async function ownerSession(world: World): Promise<SeededUser> {
  const me = await world.request("GET", "/v1/me", { token: world.ownerToken });
  expectStatus(me, 200);
  return {
    label: actorLabel("owner", "session"),
    role: "owner",
    kind: "session",
    token: world.ownerToken,
    id: me.body.actor.id,
    email: OWNER_EMAIL,
    password: OWNER_PASSWORD,
  };
}

/**
 * The one error body: exactly `{error: {code, message, requestId}}`, a code
 * from the catalog answered with its catalog status, and the request id that
 * the `x-request-id` header carries.
 */
export function expectErrorBody(res: Response, code?: ErrorCode): void {
  const context = `answer ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.body, context).toBeTypeOf("object");
  expect(Object.keys(res.body), context).toEqual(["error"]);
  expect(Object.keys(res.body.error).sort(), context).toEqual(["code", "message", "requestId"]);
  const { code: actual, message, requestId } = res.body.error;
  expect(isErrorCode(actual), `${actual} is not in ERROR_CODES`).toBe(true);
  if (code !== undefined) expect(actual, context).toBe(code);
  expect(res.status, context).toBe(ERROR_CODES[actual as ErrorCode].status);
  expect(message, context).toBeTypeOf("string");
  expect(message.length, context).toBeGreaterThan(0);
  expect(isId("request", requestId), `${requestId} is not a request id`).toBe(true);
  expect(requestId, context).toBe(res.headers.get("x-request-id"));
}

/**
 * Table rows as `[name, row]`, so that `it.each("%s …")` names read as plain
 * sentences: `$field` names are quoted and cut at 40 characters.
 */
export function named<T>(rows: readonly T[], name: (row: T) => string): [string, T][] {
  return rows.map((row) => [name(row), row]);
}

/** "an admin key", "a manager key": test names are sentences. */
export function an(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/** The sequence number of the newest audit record, 0 for none. */
export async function auditHead(world: World): Promise<number> {
  const row = await world.store.db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirstOrThrow();
  return Number(row.seq ?? 0);
}

/** Audit records appended after `seq`, oldest first. */
export function auditSince(world: World, seq: number) {
  return world.store.db
    .selectFrom("audit_log")
    .selectAll()
    .where("seq", ">", seq)
    .orderBy("seq")
    .execute();
}
