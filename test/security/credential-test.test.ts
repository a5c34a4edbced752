/**
 * `POST /v1/credentials/{id}/test` against real peers on loopback: an SMTP
 * server (smtp-server) that accepts one login, an API that accepts one key and
 * an OAuth token endpoint that accepts one refresh token. The daemon under
 * test is allowed to reach 127.0.0.1; the harness's own app is not, which is
 * how the outbound guard is tested. Every peer records what reached it.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { secretForms } from "../../core/credential-checks/sanitize.ts";
import { defaultLoginPolicy } from "../../core/services/sessions.ts";
import { createApp } from "../../daemon/app.ts";
import { createWorld, type World } from "../harness.ts";
import {
  createKey,
  createTenant,
  expectErrorBody,
  expectStatus,
  type Tenant,
  uniquePassword,
  unknownId,
} from "./actors.ts";

const USER = "mailer";
const PASSWORD = uniquePassword();
const API_KEY = `key-${uniquePassword()}`;
const CLIENT_ID = "client-one";
const CLIENT_SECRET = uniquePassword();
const REFRESH_TOKEN = `refresh-${uniquePassword()}`;

type Response = Awaited<ReturnType<World["request"]>>;

let world: World;
let a: Tenant;
let b: Tenant;
let aToken: string;
let bToken: string;
/** The daemon app allowed to reach 127.0.0.1, over the world's store and keys. */
let allowed: ReturnType<typeof createApp>["app"];
const allowedLogs: string[] = [];

// ---------------------------------------------------------------------------
// Peers

interface SmtpPeer {
  port: number;
  connections: number;
  logins: { method: string; username: string; password: string }[];
  /** What a refused login is answered with; may quote what the client sent. */
  refusal: (login: { username: string; password: string }) => string;
  close(): Promise<void>;
}

async function smtpPeer(): Promise<SmtpPeer> {
  const peer: SmtpPeer = {
    port: 0,
    connections: 0,
    logins: [],
    refusal: () => "Authentication credentials invalid",
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      const login = { username: auth.username ?? "", password: auth.password ?? "" };
      peer.logins.push({ method: auth.method, ...login });
      if (login.username === USER && login.password === PASSWORD) {
        callback(null, { user: USER });
        return;
      }
      callback(Object.assign(new Error(peer.refusal(login)), { responseCode: 535 }));
    },
  });
  // Every TCP connection, counted before any SMTP is spoken.
  server.server.on("connection", () => {
    peer.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  peer.port = (server.server.address() as AddressInfo).port;
  return peer;
}

interface HttpPeer {
  url: string;
  requests: { method: string; path: string; authorization: string; body: string }[];
  close(): Promise<void>;
}

type Handler = (
  req: IncomingMessage,
  body: string,
) => { status: number; text?: string; json?: unknown; location?: string };

async function httpPeer(handler: Handler): Promise<HttpPeer> {
  const requests: HttpPeer["requests"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: req.headers.authorization ?? "",
        body,
      });
      const answer = handler(req, body);
      res.statusCode = answer.status;
      if (answer.text !== undefined) res.statusMessage = answer.text;
      if (answer.location !== undefined) res.setHeader("location", answer.location);
      if (answer.json !== undefined) res.setHeader("content-type", "application/json");
      res.end(answer.json === undefined ? "" : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let smtp: SmtpPeer;
let api: HttpPeer;
let token: HttpPeer;

function apiHandler(req: IncomingMessage): ReturnType<Handler> {
  if (req.url === "/moved") return { status: 302, location: `${api.url}/v1` };
  if (req.url?.startsWith("/echo")) {
    // A careless API that quotes the key it refused in its reason phrase.
    return { status: 401, text: `bad key ${req.headers.authorization ?? ""}` };
  }
  return req.headers.authorization === `Bearer ${API_KEY}` ? { status: 200 } : { status: 401 };
}

function tokenHandler(req: IncomingMessage, body: string): ReturnType<Handler> {
  const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
  const form = new URLSearchParams(body);
  if (req.headers.authorization !== basic)
    return { status: 401, json: { error: "invalid_client" } };
  if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== REFRESH_TOKEN) {
    return { status: 400, json: { error: "invalid_grant" } };
  }
  return { status: 200, json: { access_token: "fresh-access", refresh_token: "rotated-refresh" } };
}

// ---------------------------------------------------------------------------
// Requests

async function call(
  app: typeof allowed,
  method: string,
  path: string,
  options: { token: string; body?: unknown },
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function setCredential(tokenOf: string, body: Record<string, unknown>): Promise<string> {
  const res = await world.request("POST", "/v1/credentials", { token: tokenOf, body });
  expectStatus(res, 201);
  return res.body.id;
}

function smtpCredential(name: string, password: string, host = "127.0.0.1") {
  return {
    name,
    kind: "smtp",
    settings: { host, port: smtp.port, username: USER, tlsMode: "none" },
    secrets: { password },
  };
}

/** `null` stores the credential without a base URL. */
function apiKeyCredential(name: string, key: string, baseUrl: string | null = api.url) {
  return {
    name,
    kind: "api_key",
    settings: { service: "crm", ...(baseUrl === null ? {} : { baseUrl }) },
    secrets: { key },
  };
}

function oauthCredential(name: string, refreshToken?: string) {
  return {
    name,
    kind: "oauth",
    settings: { tokenUrl: `${token.url}/oauth/token`, clientId: CLIENT_ID },
    secrets: {
      accessToken: `access-${uniquePassword()}`,
      clientSecret: CLIENT_SECRET,
      ...(refreshToken === undefined ? {} : { refreshToken }),
    },
  };
}

/** Tests the credential through the app allowed to reach loopback (or the one that is not). */
function tryCredential(id: string, tokenOf = aToken, app = allowed): Promise<Response> {
  return call(app, "POST", `/v1/credentials/${id}/test`, { token: tokenOf });
}

async function auditOf(id: string) {
  const rows = await world.store.db
    .selectFrom("audit_log")
    .selectAll()
    .where("target_id", "=", id)
    .where("action", "=", "credential.tested")
    .execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) }));
}

let seq = 0;
const name = (label: string) => `${label}-${++seq}`;

beforeAll(async () => {
  world = await createWorld();
  a = await createTenant(world, "test-a");
  b = await createTenant(world, "test-b");
  aToken = (await createKey(world, a.slug, { role: "partner_admin" })).token;
  bToken = (await createKey(world, b.slug, { role: "partner_admin" })).token;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      allowedLogs.push(String(chunk));
      done();
    },
  });
  allowed = createApp({
    store: world.store,
    logger: pino({ level: "debug" }, sink),
    loginPolicy: defaultLoginPolicy(3_600_000),
    keys: world.keys,
    outboundAllow: ["127.0.0.1"],
  }).app;
  smtp = await smtpPeer();
  api = await httpPeer(apiHandler);
  token = await httpPeer(tokenHandler);
});

beforeEach(() => {
  smtp.connections = 0;
  smtp.logins.length = 0;
  smtp.refusal = () => "Authentication credentials invalid";
  api.requests.length = 0;
  token.requests.length = 0;
});

afterAll(async () => {
  await smtp?.close();
  await api?.close();
  await token?.close();
  await world?.close();
});

// ---------------------------------------------------------------------------

describe("an smtp credential", () => {
  it("is ok with the right password, and the server saw exactly that one login", async () => {
    const id = await setCredential(aToken, smtpCredential(name("mail"), PASSWORD));

    const res = await tryCredential(id);

    expectStatus(res, 200);
    expect(res.body).toMatchObject({ credentialId: id, orgId: a.id, kind: "smtp", ok: true });
    expect(res.body.outcome).toBe("ok");
    expect(smtp.logins).toEqual([
      { method: expect.any(String), username: USER, password: PASSWORD },
    ]);
    expect(smtp.connections).toBe(1);
  });

  it("is rejected with a wrong password, the reply code audited and the test logged", async () => {
    const wrong = uniquePassword();
    const id = await setCredential(aToken, smtpCredential(name("mail"), wrong));

    const res = await tryCredential(id);

    expectStatus(res, 200);
    expect(res.body).toMatchObject({ ok: false, outcome: "rejected" });
    expect(res.body.detail).toMatch(/^login rejected: 535 /);
    expect(smtp.logins).toEqual([{ method: expect.any(String), username: USER, password: wrong }]);
    const audit = await auditOf(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ org_id: a.id, target_type: "credential" });
    expect(audit[0]?.details).toEqual({
      name: `mail-${seq}`,
      kind: "smtp",
      outcome: "rejected",
      responseCode: 535,
    });
    const line = allowedLogs.map((l) => JSON.parse(l)).find((l) => l.credentialId === id);
    expect(line).toMatchObject({ msg: "credential.tested", orgId: a.id, kind: "smtp" });
    expect(line.outcome).toBe("rejected");
  });

  it("is unreachable when nothing listens on the port, with no login anywhere", async () => {
    const closed = await httpPeer(() => ({ status: 200 }));
    const port = Number(new URL(closed.url).port);
    await closed.close();
    const body = smtpCredential(name("mail"), PASSWORD);
    const id = await setCredential(aToken, { ...body, settings: { ...body.settings, port } });

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: false, outcome: "unreachable" });
    expect(res.body.detail).toContain("ECONNREFUSED");
  });
});

describe("the outbound guard", () => {
  it("refuses 127.0.0.1 without an allowance: unreachable, and no connection is made", async () => {
    const id = await setCredential(aToken, smtpCredential(name("mail"), PASSWORD));

    const res = await tryCredential(id, aToken, world.app);

    expectStatus(res, 200);
    expect(res.body).toMatchObject({ ok: false, outcome: "unreachable" });
    expect(res.body.detail).toMatch(/address not allowed: 127\.0\.0\.1/);
    expect(smtp.connections).toBe(0);
    expect(smtp.logins).toEqual([]);
    expect((await auditOf(id))[0]?.details.outcome).toBe("unreachable");
  });

  it("refuses a host name that resolves to loopback, without naming the address", async () => {
    const id = await setCredential(aToken, smtpCredential(name("mail"), PASSWORD, "localhost"));

    const res = await tryCredential(id, aToken, world.app);

    expect(res.body).toMatchObject({ ok: false, outcome: "unreachable" });
    expect(res.body.detail).toContain("address not allowed: localhost is not");
    expect(res.body.detail).not.toMatch(/127\.0\.0\.1|::1/);
    expect(smtp.connections).toBe(0);
  });

  it("refuses an HTTP destination on loopback before sending the key", async () => {
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), API_KEY));

    const res = await tryCredential(id, aToken, world.app);

    expect(res.body).toMatchObject({ ok: false, outcome: "unreachable" });
    expect(api.requests).toEqual([]);
  });

  it("lets only the allowed address through: 127.0.0.2 stays refused", async () => {
    const base = new URL(api.url);
    base.hostname = "127.0.0.2";
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), API_KEY, base.href));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: false, outcome: "unreachable" });
    expect(res.body.detail).toMatch(/address not allowed: 127\.0\.0\.2/);
  });
});

describe("an api_key credential", () => {
  it("is ok when the base URL accepts the key as a bearer token", async () => {
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), API_KEY));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: true, outcome: "ok", kind: "api_key" });
    expect(api.requests).toEqual([
      { method: "GET", path: "/", authorization: `Bearer ${API_KEY}`, body: "" },
    ]);
  });

  it("is rejected on 401 with a wrong key, the status audited", async () => {
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), `${API_KEY}-wrong`));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({
      ok: false,
      outcome: "rejected",
      detail: "HTTP 401 Unauthorized",
    });
    expect((await auditOf(id))[0]?.details).toMatchObject({ outcome: "rejected", status: 401 });
  });

  it("fails on a redirect and does not follow it", async () => {
    const id = await setCredential(
      aToken,
      apiKeyCredential(name("crm"), API_KEY, `${api.url}/moved`),
    );

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: false, outcome: "failed" });
    expect(res.body.detail).toContain("HTTP 302");
    expect(api.requests.map((r) => r.path)).toEqual(["/moved"]);
  });

  it("without a base URL answers VALIDATION_FAILED, and nothing is audited", async () => {
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), API_KEY, null));

    const res = await tryCredential(id);

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toBe("this api_key credential has no base URL to test against");
    expect(await auditOf(id)).toEqual([]);
  });
});

describe("an oauth credential", () => {
  it("is ok when the refresh grant is accepted; the tokens it returns are not stored", async () => {
    const id = await setCredential(aToken, oauthCredential(name("id"), REFRESH_TOKEN));
    const before = await world.request("GET", `/v1/credentials/${id}`, { token: aToken });

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: true, outcome: "ok", kind: "oauth" });
    expect(token.requests).toHaveLength(1);
    expect(token.requests[0]?.path).toBe("/oauth/token");
    expect(Object.fromEntries(new URLSearchParams(token.requests[0]?.body))).toEqual({
      grant_type: "refresh_token",
      refresh_token: REFRESH_TOKEN,
    });
    const after = await world.request("GET", `/v1/credentials/${id}`, { token: aToken });
    expect(after.body).toEqual(before.body);
    expect(JSON.stringify(res.body)).not.toContain("fresh-access");
  });

  it("is rejected when the provider answers invalid_grant", async () => {
    const id = await setCredential(aToken, oauthCredential(name("id"), "refresh-revoked-1234"));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ ok: false, outcome: "rejected" });
    expect(res.body.detail).toBe("HTTP 400 Bad Request: invalid_grant");
  });

  it("without a refresh token answers VALIDATION_FAILED, and nothing is sent", async () => {
    const id = await setCredential(aToken, oauthCredential(name("id")));

    const res = await tryCredential(id);

    expectErrorBody(res, "VALIDATION_FAILED");
    expect(res.body.error.message).toMatch(
      /no refresh token; without one there is nothing to test/,
    );
    expect(token.requests).toEqual([]);
  });
});

describe("ciphertexts swapped between two tenants", () => {
  it("fail the test of each with INTEGRITY_FAILED, and the server sees no connection", async () => {
    const mine = await setCredential(aToken, smtpCredential("swap", PASSWORD));
    const theirs = await setCredential(bToken, smtpCredential("swap", uniquePassword()));
    const row = (id: string) =>
      world.store.db
        .selectFrom("credentials")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    const [rowA, rowB] = [await row(mine), await row(theirs)];
    for (const [id, secrets] of [
      [mine, rowB.secrets],
      [theirs, rowA.secrets],
    ] as const) {
      await world.store.db
        .updateTable("credentials")
        .set({ secrets })
        .where("id", "=", id)
        .execute();
    }

    const results = [await tryCredential(mine, aToken), await tryCredential(theirs, bToken)];

    for (const res of results) expectErrorBody(res, "INTEGRITY_FAILED");
    expect(smtp.connections).toBe(0);
    expect(smtp.logins).toEqual([]);
    expect([...(await auditOf(mine)), ...(await auditOf(theirs))]).toEqual([]);
  });
});

describe("another tenant", () => {
  it("testing A's credential gets 404 exactly like a random id, and nothing is sent", async () => {
    const id = await setCredential(aToken, smtpCredential(name("mail"), PASSWORD));

    const foreign = await tryCredential(id, bToken);
    const random = await tryCredential(unknownId("credential"), bToken);

    expectErrorBody(foreign, "NOT_FOUND");
    expect(foreign.body.error.message).toBe(random.body.error.message);
    expect(smtp.connections).toBe(0);
  });
});

describe("a peer that echoes the secret", () => {
  /** Every form a careless or hostile peer could send back. */
  const traces = (...secrets: string[]) => [...new Set(secrets.flatMap(secretForms))];

  async function expectNoTrace(res: Response, id: string, secrets: string[]) {
    const audit = JSON.stringify(await auditOf(id));
    const logs = allowedLogs.join("\n");
    const body = JSON.stringify(res.body);
    expect(res.body.detail).toContain("[redacted]");
    for (const trace of traces(...secrets)) {
      expect(body).not.toContain(trace);
      expect(audit).not.toContain(trace);
      expect(logs).not.toContain(trace);
    }
  }

  it("in its SMTP refusal, raw, base64 and as SASL PLAIN, leaves no trace anywhere", async () => {
    const password = uniquePassword();
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const plain = (login: { username: string; password: string }) =>
      b64(`\0${login.username}\0${login.password}`);
    smtp.refusal = (login) =>
      `no ${login.password} / ${b64(login.password)} / ${plain(login)}` +
      ` / ${login.password.toUpperCase()}`;
    const id = await setCredential(aToken, smtpCredential(name("mail"), password));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ outcome: "rejected" });
    expect(smtp.logins[0]?.password).toBe(password);
    await expectNoTrace(res, id, [password, `\0${USER}\0${password}`]);
  });

  it("in its HTTP reason phrase leaves no trace of the key", async () => {
    const key = `key-${uniquePassword()}`;
    const id = await setCredential(aToken, apiKeyCredential(name("crm"), key, `${api.url}/echo`));

    const res = await tryCredential(id);

    expect(res.body).toMatchObject({ outcome: "rejected" });
    expect(api.requests[0]?.authorization).toBe(`Bearer ${key}`);
    await expectNoTrace(res, id, [key]);
  });
});
