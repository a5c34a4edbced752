import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanUpDaemons,
  type Daemon,
  preparedDataDir,
  spawnDaemon,
  startedUrl,
  stop,
} from "../daemon/processes.ts";
import { type CliRun, runCli } from "../support/cli.ts";
import { type Canary, canary, describeTraces, Evidence, encodingsOf, scan } from "./canary-scan.ts";

const SLOW = 90_000;
const USER = "mailer";
const CLIENT_ID = "client-one";

const C = {
  smtpWrong: canary("the first smtp password (CLI), refused by the peer", "smtpwrong"),
  smtpRight: canary("the replacing smtp password (CLI), the one the peer accepts", "smtpright"),
  smtpApi: canary("an smtp password set through the API, refused", "smtpapi"),
  smtpApiNew: canary("the smtp password replacing it through the API", "smtpapinew"),
  apiRight: canary("an api key (CLI) the peer accepts", "apiright"),
  apiEcho: canary("an api key (API) the peer echoes in its 401", "apiecho"),
  access: canary("an oauth access token (CLI)", "access"),
  clientSecret: canary("an oauth client secret (CLI) the peer accepts", "clientsecret"),
  refresh: canary("an oauth refresh token (CLI) the peer accepts", "refresh"),
  apiAccess: canary("an oauth access token (API)", "apiaccess"),
  apiClientSecret: canary("an oauth client secret (API) the peer echoes", "apiclientsecret"),
  apiRefresh: canary("an oauth refresh token (API) the peer echoes", "apirefresh"),
  extraField: canary("a secret in an unknown extra field", "extrafield"),
  longName: canary("a secret beside a too-long name", "longname"),
  mismatch: canary("a secret under the settings of another kind", "mismatch"),
  unknownKind: canary("a secret of an unknown kind", "unknownkind"),
  tooLong: canary("the start of a 9000-character secret", "toolong"),
  wrongType: canary("a secret given as the port", "wrongtype"),
  badJson: canary("a secret in a body that is not JSON", "badjson"),
  badQuery: canary("a secret in a body sent with an unknown query parameter", "badquery"),
  badMedia: canary("a secret in a body that is not declared JSON", "badmedia"),
  cliLongName: canary("a secret on stdin beside a too-long name (CLI)", "clilongname"),
  cliMissing: canary("a secret on stdin with the next line missing (CLI)", "climissing"),
} satisfies Record<string, Canary>;
const CANARIES: readonly Canary[] = Object.values(C);

const SURFACES = [
  "the daemon log",
  "the CLI output",
  "the audit records",
  "the API responses",
  "the error bodies",
  "the data dir",
] as const;

const evidence = new Evidence();

// ---------------------------------------------------------------------------
// Peers on loopback

/** Accepts exactly one login; refusals quote the password raw, in base64 and upper-cased. */
async function smtpPeer() {
  const seen = { passwords: [] as string[], refusals: [] as string[] };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const password = auth.password ?? "";
      seen.passwords.push(password);
      if (auth.username === USER && password === C.smtpRight.value) {
        callback(null, { user: USER });
        return;
      }
      const plain = Buffer.from(`\0${auth.username}\0${password}`).toString("base64");
      const refusal =
        `no such password ${password} / ${Buffer.from(password).toString("base64")}` +
        ` / ${plain} / ${password.toUpperCase()}`;
      seen.refusals.push(refusal);
      callback(Object.assign(new Error(refusal), { responseCode: 535 }));
    },
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.server.address() as AddressInfo;
  const close = () => new Promise<void>((done) => server.close(() => done()));
  return { port, seen, close };
}

type Answer = { status: number; reason?: string; body?: string };

/** An HTTP peer that records each request's authorization and body, and every answer it gave. */
async function httpPeer(handler: (req: IncomingMessage, body: string) => Answer) {
  const seen = {
    requests: [] as { authorization: string; body: string }[],
    answers: [] as string[],
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      seen.requests.push({ authorization: req.headers.authorization ?? "", body });
      const answer = handler(req, body);
      seen.answers.push(`${answer.reason ?? ""}\n${answer.body ?? ""}`);
      res.statusCode = answer.status;
      if (answer.reason !== undefined) res.statusMessage = answer.reason;
      res.setHeader("content-type", "application/json");
      res.end(answer.body ?? "{}");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return { url: `http://127.0.0.1:${port}`, seen, close };
}

/** `/ok` accepts the one key; `/echo` refuses, quoting the Authorization header twice. */
function apiHandler(req: IncomingMessage): Answer {
  const authorization = req.headers.authorization ?? "";
  if (req.url === "/ok" && authorization === `Bearer ${C.apiRight.value}`) return { status: 200 };
  return {
    status: 401,
    reason: `bad key ${authorization}`,
    body: JSON.stringify({ error: "unauthorized", youSent: authorization }),
  };
}

/** Accepts the one client secret and refresh token; refuses quoting both, as sent. */
function tokenHandler(req: IncomingMessage, body: string): Answer {
  const form = new URLSearchParams(body);
  const basic = `${CLIENT_ID}:${new URLSearchParams({ v: C.clientSecret.value }).toString().slice(2)}`;
  const authorization = req.headers.authorization ?? "";
  if (
    authorization === `Basic ${Buffer.from(basic).toString("base64")}` &&
    form.get("refresh_token") === C.refresh.value
  ) {
    return { status: 200, body: JSON.stringify({ access_token: "issued", token_type: "bearer" }) };
  }
  const decoded = Buffer.from(authorization.replace(/^Basic /, ""), "base64").toString("utf8");
  return {
    status: 400,
    reason: `refused ${authorization} ${decoded}`,
    body: JSON.stringify({ error: `invalid_grant ${form.get("refresh_token")} ${decoded}` }),
  };
}

// ---------------------------------------------------------------------------
// The daemon, the CLI and the API, every answer kept as evidence

let daemon: Daemon;
let dataDir: string;
let url: string;
let ownerToken: string;
let partnerToken: string;
let slug: string;
const configDirs: string[] = [];

async function cli(
  args: readonly string[],
  options: { token: string; stdin?: string },
): Promise<CliRun> {
  const configDir = mkdtempSync(join(tmpdir(), "partneros-canary-config-"));
  configDirs.push(configDir);
  const env = {
    PARTNEROS_URL: url,
    PARTNEROS_TOKEN: options.token,
    PARTNEROS_CONFIG_DIR: configDir,
  };
  const run = await runCli(args, env, options.stdin);
  const command = `partneros ${args.join(" ")}`;
  evidence.add("the CLI output", `${command} (stdout)`, run.stdout);
  evidence.add("the CLI output", `${command} (stderr)`, run.stderr);
  return run;
}

/** A CLI run that must succeed, its stdout parsed when `--json` was asked for. */
async function cliOk(args: readonly string[], options: { token: string; stdin?: string }) {
  const run = await cli(args, options);
  expect(run.code, `partneros ${args.join(" ")}: ${run.stderr}`).toBe(0);
  return args.includes("--json") ? JSON.parse(run.stdout) : run.stdout;
}

const asPartner = (stdin?: string) => ({ token: partnerToken, stdin });
const asOwner = () => ({ token: ownerToken });

interface Reply {
  status: number;
  body: any;
  text: string;
}

let sent = 0;

/** One request to the daemon; the answer's headers and body are kept. */
async function request(
  method: string,
  path: string,
  options: { token: string; body?: unknown; raw?: string; type?: string },
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = options.type ?? "application/json";
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  const head = [...res.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  const surface = res.status >= 400 ? "the error bodies" : "the API responses";
  sent += 1;
  evidence.add(
    surface,
    `request ${sent}: ${method} ${path} → ${res.status}`,
    `${res.statusText}\n${head}\n\n${text}`,
  );
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

async function requestOk(method: string, path: string, options: Parameters<typeof request>[2]) {
  const reply = await request(method, path, options);
  expect(reply.status, `${method} ${path}: ${reply.text}`).toBeLessThan(300);
  return reply.body;
}

// ---------------------------------------------------------------------------
// Credential bodies

let smtpPort: number;
let apiUrl: string;
let tokenUrl: string;

const smtpSettings = () => ({ host: "127.0.0.1", port: smtpPort, username: USER, tlsMode: "none" });
/** A command line split at spaces; no argument here holds one. */
const words = (line: string) => line.split(" ");
const smtpFlags = (name: string) =>
  words(`credential set --kind smtp --name ${name} --host 127.0.0.1 --port ${smtpPort}`).concat(
    words(`--username ${USER} --tls none --secrets-stdin`),
  );
const smtpBody = (name: string, password: string) => ({
  name,
  kind: "smtp",
  settings: smtpSettings(),
  secrets: { password },
});

/** What each test outcome was, by step, checked once the scenario has run. */
const outcomes = new Map<string, string>();
const ids = new Map<string, string>();
let validation: { label: string; status: number; code: string | undefined }[] = [];
let cliValidation: { label: string; code: number | null; stderr: string }[] = [];
let afterRotation: { primary: number; retired: number[] };
let deletedAnswers: number[] = [];
let smtp: Awaited<ReturnType<typeof smtpPeer>>;
let api: Awaited<ReturnType<typeof httpPeer>>;
let token: Awaited<ReturnType<typeof httpPeer>>;
let databaseFiles: string[] = [];
let sealedVersions: string[] = [];
let names: string[] = [];

/** `credential test` through the CLI: the printed outcome, and the exit code that goes with it. */
async function cliTest(step: string, name: string) {
  const run = await cli(["credential", "test", requiredId(name), "--json"], asPartner());
  const result = JSON.parse(run.stdout) as { ok: boolean; outcome: string };
  expect(run.code, `${step}: ${run.stderr}`).toBe(result.ok ? 0 : 13);
  outcomes.set(step, result.outcome);
}

async function apiTest(step: string, name: string) {
  const path = `/v1/credentials/${requiredId(name)}/test`;
  const result = await requestOk("POST", path, { token: partnerToken });
  outcomes.set(step, result.outcome);
}

function requiredId(name: string): string {
  const id = ids.get(name);
  if (id === undefined) throw new Error(`no credential ${name} was set`);
  return id;
}

/** The validation errors of the API, each carrying a canary in its body. */
function invalidBodies() {
  const valid = (secret: string) => smtpBody("invalid", secret);
  return [
    {
      label: "an unknown extra field",
      body: {
        ...valid(C.extraField.value),
        note: C.extraField.value,
        secrets: { password: C.extraField.value, backup: C.extraField.value },
      },
    },
    { label: "a too-long name", body: { ...valid(C.longName.value), name: "n".repeat(101) } },
    {
      label: "the settings of another kind",
      body: {
        name: "mismatch",
        kind: "smtp",
        settings: { service: "crm", baseUrl: apiUrl },
        secrets: { key: C.mismatch.value },
      },
    },
    { label: "an unknown kind", body: { ...valid(C.unknownKind.value), kind: "ftp" } },
    {
      label: "a 9000-character secret",
      body: valid(C.tooLong.value + "x".repeat(9000 - C.tooLong.value.length)),
    },
    {
      label: "a secret as the port",
      body: {
        ...valid(C.wrongType.value),
        settings: { ...smtpSettings(), port: C.wrongType.value },
      },
    },
  ];
}

async function setThroughCli() {
  const [mail, crm, id] = await Promise.all([
    cliOk([...smtpFlags("mail"), "--json"], asPartner(`${C.smtpWrong.value}\n`)),
    cliOk(
      words(
        `credential set --kind api_key --name crm --service crm --base-url ${apiUrl}/ok`,
      ).concat(words("--secrets-stdin --json")),
      asPartner(`${C.apiRight.value}\n`),
    ),
    cliOk(
      words(`credential set --kind oauth --name id --token-url ${tokenUrl}`).concat(
        words(`--client-id ${CLIENT_ID} --secrets-stdin --json`),
      ),
      asPartner(`${C.access.value}\n${C.clientSecret.value}\n${C.refresh.value}\n`),
    ),
  ]);
  ids.set("mail", mail.id).set("crm", crm.id).set("id", id.id);
}

async function setThroughApi() {
  const post = (body: unknown) =>
    requestOk("POST", "/v1/credentials", { token: partnerToken, body });
  const mail = await post(smtpBody("mail-api", C.smtpApi.value));
  const crm = await post({
    name: "crm-echo",
    kind: "api_key",
    settings: { service: "crm", baseUrl: `${apiUrl}/echo` },
    secrets: { key: C.apiEcho.value },
  });
  const id = await post({
    name: "id-api",
    kind: "oauth",
    settings: { tokenUrl, clientId: CLIENT_ID, expiresAt: "2030-01-01T00:00:00Z" },
    secrets: {
      accessToken: C.apiAccess.value,
      clientSecret: C.apiClientSecret.value,
      refreshToken: C.apiRefresh.value,
    },
  });
  ids.set("mail-api", mail.id).set("crm-echo", crm.id).set("id-api", id.id);
}

async function refuseInvalidBodies() {
  const answers: typeof validation = [];
  const record = (label: string, reply: Reply) =>
    answers.push({ label, status: reply.status, code: reply.body?.error?.code });
  for (const { label, body } of invalidBodies()) {
    record(label, await request("POST", "/v1/credentials", { token: partnerToken, body }));
  }
  const raw = `{"name":"bad","kind":"smtp","secrets":{"password":"${C.badJson.value}"`;
  record(
    "a body that is not JSON",
    await request("POST", "/v1/credentials", { ...asPartner(), raw }),
  );
  const body = smtpBody("query", C.badQuery.value);
  const query = "/v1/credentials?bogus=1";
  record("an unknown query parameter", await request("POST", query, { token: partnerToken, body }));
  const media = { token: partnerToken, raw: JSON.stringify(smtpBody("m", C.badMedia.value)) };
  record(
    "a body declared text/plain",
    await request("POST", "/v1/credentials", { ...media, type: "text/plain" }),
  );
  validation = answers;
}

async function refuseInvalidCliInput() {
  const oauth = words(`credential set --kind oauth --name half --token-url ${tokenUrl}`).concat(
    words(`--client-id ${CLIENT_ID} --secrets-stdin`),
  );
  const cases = [
    {
      label: "a too-long name",
      run: cli(smtpFlags("n".repeat(101)), asPartner(`${C.cliLongName.value}\n`)),
    },
    { label: "a missing second line", run: cli(oauth, asPartner(`${C.cliMissing.value}\n`)) },
  ];
  cliValidation = await Promise.all(
    cases.map(async ({ label, run }) => {
      const { code, stderr } = await run;
      return { label, code, stderr };
    }),
  );
}

/** Show and list through the API (partner and operator); through the CLI too when asked. */
async function showAndList(when: string, throughCli: boolean) {
  const show = (name: string, json: boolean) =>
    cliOk(["credential", "show", requiredId(name), ...(json ? ["--json"] : [])], asPartner());
  const cliRuns = throughCli
    ? [
        show("mail", false),
        show("id", true),
        cliOk(["credential", "list"], asPartner()),
        cliOk(["credential", "list", "--json"], asPartner()),
      ]
    : [show("crm", true)];
  const list = await requestOk("GET", "/v1/credentials", { token: partnerToken });
  await requestOk("GET", `/v1/credentials?org=${slug}`, asOwner());
  expect(list.data.length, when).toBe(ids.size);
  for (const id of ids.values()) {
    await requestOk("GET", `/v1/credentials/${id}`, { token: partnerToken });
    await requestOk("GET", `/v1/credentials/${id}?org=${slug}`, asOwner());
  }
  await Promise.all(cliRuns);
}

async function rotateAndRetire() {
  await cliOk(["master-key", "rotate", "--json"], asOwner());
  await cliOk(["master-key", "retire", "1", "--yes", "--json"], asOwner());
  const status = await requestOk("GET", "/v1/master-key", asOwner());
  afterRotation = { primary: status.primary, retired: status.retired };
}

async function deleteTwo() {
  await cliOk(["credential", "delete", requiredId("mail"), "--json"], asPartner());
  await requestOk("DELETE", `/v1/credentials/${requiredId("crm-echo")}`, { token: partnerToken });
  deletedAnswers = [
    (await request("GET", `/v1/credentials/${requiredId("mail")}`, asPartner())).status,
    (await request("GET", `/v1/credentials/${requiredId("crm-echo")}`, asPartner())).status,
  ];
}

async function collectAudit() {
  const partner = await requestOk("GET", `/v1/audit?org=${slug}&limit=500`, asOwner());
  const operator = await requestOk("GET", "/v1/audit?limit=500", asOwner());
  const mine = await requestOk("GET", "/v1/audit?limit=500", asPartner());
  const listed = await cliOk(["audit", "list", "--partner", slug, "--limit", "500"], asOwner());
  evidence.add("the audit records", "GET /v1/audit?org=<partner>", JSON.stringify(partner));
  evidence.add("the audit records", "GET /v1/audit (operator)", JSON.stringify(operator));
  evidence.add("the audit records", "GET /v1/audit (partner key)", JSON.stringify(mine));
  evidence.add("the audit records", "partneros audit list", listed);
}

/** Every file of the data dir as bytes, then every row of every table as JSON. */
function collectDataDir() {
  databaseFiles = readdirSync(dataDir).filter((file) => statSync(join(dataDir, file)).isFile());
  for (const file of databaseFiles) {
    evidence.add("the data dir", file, readFileSync(join(dataDir, file)));
  }
  const db = new Database(join(dataDir, "partneros.db"), { readonly: true });
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table'")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const rows = db.prepare(`select * from "${table}"`).all();
      const surface = table === "audit_log" ? "the audit records" : "the data dir";
      evidence.add(surface, `table ${table}`, JSON.stringify(rows));
    }
    const sealed = db.prepare("select name, secrets from credentials").all() as {
      name: string;
      secrets: string;
    }[];
    names = sealed.map((row) => row.name);
    sealedVersions = sealed.flatMap((row) =>
      Object.values(JSON.parse(row.secrets) as Record<string, string>).map((value) =>
        value.split(".").slice(0, 2).join("."),
      ),
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  smtp = await smtpPeer();
  api = await httpPeer(apiHandler);
  token = await httpPeer(tokenHandler);
  smtpPort = smtp.port;
  apiUrl = api.url;
  tokenUrl = `${token.url}/oauth/token`;

  const prepared = await preparedDataDir();
  dataDir = prepared.dir;
  ownerToken = prepared.ownerToken;
  daemon = spawnDaemon(dataDir, {
    args: ["--outbound-allow", "127.0.0.1", "--log-level", "trace"],
  });
  url = await startedUrl(daemon);

  const tenant = await requestOk("POST", "/v1/tenants", {
    token: ownerToken,
    body: { slug: `canary-${Date.now().toString(36)}`, name: "Canary partner" },
  });
  slug = tenant.slug;
  const key = await requestOk("POST", `/v1/keys?org=${slug}`, {
    token: ownerToken,
    body: { name: "canary admin", role: "partner_admin" },
  });
  partnerToken = key.token;

  // Set every kind, both ways; the invalid ones are refused meanwhile.
  await Promise.all([
    setThroughCli(),
    setThroughApi(),
    refuseInvalidBodies(),
    refuseInvalidCliInput(),
  ]);

  // Test: refused by the peers, accepted by them.
  await Promise.all([
    cliTest("smtp refused (CLI)", "mail"),
    cliTest("api key accepted (CLI)", "crm"),
    cliTest("oauth accepted (CLI)", "id"),
    apiTest("api key echoed (API)", "crm-echo"),
    apiTest("smtp refused (API)", "mail-api"),
    apiTest("oauth echoed (API)", "id-api"),
  ]);

  // Replace, both ways, and test the replacements.
  const replaced = await cliOk(
    [...smtpFlags("mail"), "--json"],
    asPartner(`${C.smtpRight.value}\n`),
  );
  expect(replaced.id).toBe(requiredId("mail"));
  const again = await requestOk("POST", "/v1/credentials", {
    token: partnerToken,
    body: smtpBody("mail-api", C.smtpApiNew.value),
  });
  expect(again.id).toBe(requiredId("mail-api"));
  await Promise.all([
    cliTest("smtp replaced, accepted (CLI)", "mail"),
    apiTest("smtp replaced, refused (API)", "mail-api"),
    showAndList("before rotation", true),
  ]);

  await rotateAndRetire();
  await Promise.all([
    cliTest("smtp accepted after rotation (CLI)", "mail"),
    apiTest("api key echoed after rotation (API)", "crm-echo"),
    apiTest("oauth accepted after rotation (API)", "id"),
    showAndList("after rotation", false),
  ]);

  await deleteTwo();
  await collectAudit();

  await stop(daemon);
  await daemon.closed;
  evidence.add("the daemon log", "stdout", daemon.lines.join("\n"));
  evidence.add("the daemon log", "stderr", daemon.errors.join("\n"));
  collectDataDir();
}, SLOW);

afterAll(async () => {
  cleanUpDaemons();
  await Promise.all([smtp?.close(), api?.close(), token?.close()]);
  for (const dir of configDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------

describe("the canary scanner", () => {
  const probe = canary("a probe", "probe");
  const forms = encodingsOf(probe.value);

  it("knows the raw, base64, base64url, hex, URL-encoded and upper-case forms", () => {
    const encodings = forms.flatMap((f) => f.encoding.split(" = "));

    for (const encoding of ["raw", "base64", "base64url", "hex", "URL-encoded", "upper-case"]) {
      expect(encodings).toContain(encoding);
    }
    expect(new Set(forms.map((f) => f.form)).size).toBe(forms.length);
  });

  it.each(forms.map((f) => [f.encoding, f] as const))(
    "finds the %s form inside text and inside bytes, and says where",
    (encoding, { form }) => {
      const text = `before ${form} after`;
      const bytes = Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(form), Buffer.from([0])]);

      const inText = scan([probe], "a text", text);
      const inBytes = scan([probe], "a buffer", bytes);

      expect(inText).toContainEqual(
        expect.objectContaining({ canary: "a probe", encoding, where: "a text", offset: 7 }),
      );
      expect(inBytes).toContainEqual(
        expect.objectContaining({ encoding, where: "a buffer", offset: 3 }),
      );
      expect(describeTraces(inText)).toContain(`a probe (${encoding}) in a text at 7`);
    },
  );

  it("finds the secret inside SASL PLAIN and HTTP Basic base64", () => {
    const plain = Buffer.from(`\0${USER}\0${probe.value}`).toString("base64");
    const form = new URLSearchParams({ v: probe.value }).toString().slice(2);
    const basic = Buffer.from(`${CLIENT_ID}:${form}`).toString("base64");

    expect(scan([probe], "sasl", `AUTH PLAIN ${plain}`)).not.toEqual([]);
    expect(scan([probe], "basic", `Authorization: Basic ${basic}`)).not.toEqual([]);
  });

  it("finds nothing in text that holds only other secrets and a masked hint", () => {
    const other = canary("another", "other");

    expect(scan([probe], "text", `${other.value} ••••${probe.value.slice(-4)}`)).toEqual([]);
  });
});

describe("canary secrets through every credential path", { timeout: SLOW }, () => {
  it("were really used: the peers saw them and echoed them back", () => {
    expect(smtp.seen.passwords).toEqual(
      expect.arrayContaining([C.smtpWrong.value, C.smtpRight.value, C.smtpApi.value]),
    );
    expect(api.seen.requests.map((r) => r.authorization)).toEqual(
      expect.arrayContaining([`Bearer ${C.apiRight.value}`, `Bearer ${C.apiEcho.value}`]),
    );
    expect(
      token.seen.requests.map((r) => new URLSearchParams(r.body).get("refresh_token")),
    ).toEqual(expect.arrayContaining([C.refresh.value, C.apiRefresh.value]));
    // The scanner finds them in what the peers answered: the echo the daemon had to sanitize.
    expect(scan([C.smtpWrong], "smtp refusals", smtp.seen.refusals.join("\n"))).not.toEqual([]);
    expect(scan([C.apiEcho], "api answers", api.seen.answers.join("\n"))).not.toEqual([]);
    expect(scan([C.apiClientSecret], "token answers", token.seen.answers.join("\n"))).not.toEqual(
      [],
    );
    expect(scan([C.apiRefresh], "token answers", token.seen.answers.join("\n"))).not.toEqual([]);
  });

  it("tested as the peers decided, before and after the rotation", () => {
    expect(Object.fromEntries(outcomes)).toEqual({
      "smtp refused (CLI)": "rejected",
      "api key accepted (CLI)": "ok",
      "oauth accepted (CLI)": "ok",
      "api key echoed (API)": "rejected",
      "smtp refused (API)": "rejected",
      "oauth echoed (API)": "failed",
      "smtp replaced, accepted (CLI)": "ok",
      "smtp replaced, refused (API)": "rejected",
      "smtp accepted after rotation (CLI)": "ok",
      "api key echoed after rotation (API)": "rejected",
      "oauth accepted after rotation (API)": "ok",
    });
  });

  it("refused every invalid body with an error, stored nothing of it", () => {
    expect(validation.map(({ label, code }) => [label, code])).toEqual([
      ["an unknown extra field", "VALIDATION_FAILED"],
      ["a too-long name", "VALIDATION_FAILED"],
      ["the settings of another kind", "VALIDATION_FAILED"],
      ["an unknown kind", "VALIDATION_FAILED"],
      ["a 9000-character secret", "VALIDATION_FAILED"],
      ["a secret as the port", "VALIDATION_FAILED"],
      ["a body that is not JSON", "BAD_REQUEST"],
      ["an unknown query parameter", "VALIDATION_FAILED"],
      ["a body declared text/plain", "UNSUPPORTED_MEDIA_TYPE"],
    ]);
    for (const { label, code, stderr } of cliValidation) {
      expect(code, `${label}: ${stderr}`).toBe(2);
      expect(stderr, label).toMatch(/VALIDATION_FAILED/);
    }
    expect(names.sort()).toEqual(["crm", "id", "id-api", "mail-api"]);
  });

  it("rotated to version 2, retired version 1, and every secret left is sealed under 2", () => {
    expect(afterRotation).toEqual({ primary: 2, retired: [1] });
    expect(sealedVersions.length).toBe(1 + 3 + 3 + 1);
    expect(new Set(sealedVersions)).toEqual(new Set(["pos1.k2"]));
  });

  it("deleted a credential through each of the CLI and the API", () => {
    expect(deletedAnswers).toEqual([404, 404]);
  });

  it("captured every surface it searches", () => {
    const text = (surface: string) =>
      evidence
        .of(surface)
        .map((p) => (typeof p.content === "string" ? p.content : p.content.toString("latin1")))
        .join("\n");

    expect(text("the daemon log")).toContain("credential.tested");
    expect(text("the daemon log")).toContain("request.completed");
    expect(text("the CLI output")).toContain(requiredId("id-api"));
    expect(text("the audit records")).toContain("credential.set");
    expect(text("the audit records")).toContain("master_key.retired");
    expect(text("the API responses")).toContain("x-request-id");
    expect(evidence.of("the error bodies").length).toBeGreaterThanOrEqual(validation.length);
    expect(databaseFiles).toContain("partneros.db");
    expect(text("the data dir")).toContain(slug);
    expect(text("the data dir")).toContain("pos1.k2.");
  });

  it.each(SURFACES)("leave no trace in %s", (surface) => {
    const traces = evidence.scan(CANARIES, surface);

    expect(evidence.of(surface).length).toBeGreaterThan(0);
    expect(traces, describeTraces(traces)).toEqual([]);
  });
});
