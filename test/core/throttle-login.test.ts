import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorld,
  OWNER_EMAIL,
  OWNER_PASSWORD,
  strictLoginPolicy,
  type World,
} from "../harness.ts";

const ACCOUNT_LIMIT = 3;
const GHOST_EMAIL = "nobody@nowhere.test";
const SECOND_EMAIL = "analyst@operator.test";
const SECOND_PASSWORD = "a second long passphrase";

const worlds: World[] = [];

afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

async function world(perClient = 100): Promise<World> {
  const w = await createWorld({ loginPolicy: strictLoginPolicy(ACCOUNT_LIMIT, perClient) });
  worlds.push(w);
  return w;
}

/** The raw answer to a login, so bodies can be compared byte for byte. */
async function rawLogin(w: World, email: string, password: string) {
  const res = await w.app.request("/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as {
    token?: string;
    error?: { code: string; message: string; requestId: string };
  };
  return { status: res.status, text, body, contentType: res.headers.get("content-type") };
}

/** The answer with its request id blanked out, the only part allowed to differ. */
function withoutRequestId(answer: Awaited<ReturnType<typeof rawLogin>>) {
  const requestId = answer.body.error?.requestId ?? "";
  return {
    status: answer.status,
    contentType: answer.contentType,
    text: requestId ? answer.text.replace(requestId, "<request-id>") : answer.text,
  };
}

/** Adds an active operator analyst with a password, through invitation and acceptance. */
async function addSecondUser(w: World): Promise<void> {
  const invited = await w.request("POST", "/v1/users?org=operator", {
    token: w.ownerToken,
    body: { email: SECOND_EMAIL, name: "Analyst", role: "analyst" },
  });
  expect(invited.status).toBe(201);
  const accepted = await w.request("POST", "/v1/invitations/accept", {
    body: { token: invited.body.invitation.token, password: SECOND_PASSWORD },
  });
  expect(accepted.status).toBe(200);
}

describe("login failures", () => {
  it("answer a wrong password and an unknown email with byte-identical bodies", async () => {
    const w = await world();

    const wrongPassword = await rawLogin(w, OWNER_EMAIL, "not the right password");
    const unknownEmail = await rawLogin(w, GHOST_EMAIL, "not the right password");

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error?.code).toBe("INVALID_CREDENTIALS");
    expect(wrongPassword.body.error?.requestId).toMatch(/^req_/);
    expect(unknownEmail.body.error?.requestId).not.toBe(wrongPassword.body.error?.requestId);
    expect(withoutRequestId(unknownEmail)).toEqual(withoutRequestId(wrongPassword));
  });

  it.each([
    ["an existing email", OWNER_EMAIL],
    ["an unknown email", GHOST_EMAIL],
  ])("lock out %s after the account limit", async (_label, email) => {
    const w = await world();

    const failures = [];
    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
      failures.push((await rawLogin(w, email, "guessing wrong again")).status);
    }
    const next = await rawLogin(w, email, "guessing wrong again");

    expect(failures).toEqual(Array(ACCOUNT_LIMIT).fill(401));
    expect(next.status).toBe(429);
    expect(next.body.error?.code).toBe("RATE_LIMITED");
  });

  it("lock out an existing and an unknown email with byte-identical answers", async () => {
    const w = await world();

    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
      await rawLogin(w, OWNER_EMAIL, "guessing wrong again");
      await rawLogin(w, GHOST_EMAIL, "guessing wrong again");
    }
    const existing = await rawLogin(w, OWNER_EMAIL, "guessing wrong again");
    const unknown = await rawLogin(w, GHOST_EMAIL, "guessing wrong again");

    expect(existing.status).toBe(429);
    expect(withoutRequestId(unknown)).toEqual(withoutRequestId(existing));
  });

  it("refuse a locked-out account even with the right password", async () => {
    const w = await world();
    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) await rawLogin(w, OWNER_EMAIL, "wrong password!");

    const right = await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD);

    expect(right.status).toBe(429);
    expect(right.body.error?.code).toBe("RATE_LIMITED");
    expect(right.body.token).toBeUndefined();
  });

  it("count an email in any spelling as the same account", async () => {
    const w = await world();
    const spellings = [OWNER_EMAIL.toUpperCase(), ` ${OWNER_EMAIL}`, OWNER_EMAIL];
    for (const spelling of spellings) await rawLogin(w, spelling, "wrong password!");

    const right = await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD);

    expect(right.status).toBe(429);
  });

  it("leave another email from the same client working until the per-client limit", async () => {
    const perClient = ACCOUNT_LIMIT + 2;
    const w = await world(perClient);
    await addSecondUser(w);
    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) await rawLogin(w, OWNER_EMAIL, "wrong password!");

    const whileUnderClientLimit = await rawLogin(w, SECOND_EMAIL, SECOND_PASSWORD);
    for (let i = ACCOUNT_LIMIT; i < perClient; i += 1) {
      await rawLogin(w, `spray-${i}@nowhere.test`, "wrong password!");
    }
    const atClientLimit = await rawLogin(w, SECOND_EMAIL, SECOND_PASSWORD);

    expect(whileUnderClientLimit.status).toBe(200);
    expect(whileUnderClientLimit.body.token).toMatch(/^pos_sess_/);
    expect(atClientLimit.status).toBe(429);
    expect(atClientLimit.body.error?.code).toBe("RATE_LIMITED");
  });

  it("do not count against the account once a login succeeds", async () => {
    const w = await world();
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i += 1)
      await rawLogin(w, OWNER_EMAIL, "wrong password!");

    const success = await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD);
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i += 1)
      await rawLogin(w, OWNER_EMAIL, "wrong password!");
    const again = await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD);

    expect(success.status).toBe(200);
    expect(again.status).toBe(200);
  });
});

describe("a successful login", () => {
  it("returns a pos_sess_ token that authenticates /v1/me as the user", async () => {
    const w = await world();

    const login = await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD);
    const token = login.body.token ?? "";
    const me = await w.request("GET", "/v1/me", { token });

    expect(login.status).toBe(200);
    expect(token).toMatch(/^pos_sess_[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(w.ownerToken);
    expect(me.status).toBe(200);
    expect(me.body.actor).toMatchObject({ kind: "user", role: "owner", orgSlug: "operator" });
  });

  it("stores only the SHA-256 of the token, never the token itself", async () => {
    const w = await world();

    const token = (await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD)).body.token ?? "";

    const digest = createHash("sha256").update(token).digest("hex");
    const stored = await w.store.db
      .selectFrom("sessions")
      .select("id")
      .where("token_hash", "=", digest)
      .execute();
    expect(stored).toHaveLength(1);
    const tables = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table'
    `.execute(w.store.db);
    for (const { name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(name)}`.execute(w.store.db);
      expect(JSON.stringify(rows.rows), `table ${name}`).not.toContain(token);
      expect(JSON.stringify(rows.rows), `table ${name}`).not.toContain(token.slice(9));
    }
    for (const file of readdirSync(w.dir)) {
      expect(readFileSync(join(w.dir, file)).includes(token.slice(9)), file).toBe(false);
    }
  });

  it("writes a session.created audit record without the token", async () => {
    const w = await world();

    const token = (await rawLogin(w, OWNER_EMAIL, OWNER_PASSWORD)).body.token ?? "";

    const records = await w.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "session.created")
      .execute();
    expect(records).toHaveLength(1);
    expect(JSON.stringify(records)).not.toContain(token.slice(9));
  });
});
