import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureKeyFile } from "../../core/secrets/keyring.ts";
import { bootstrapOperator } from "../../core/services/bootstrap.ts";
import { openStore } from "../../core/store/store.ts";
import { type CliRun, cleanEnv, runCli } from "../support/cli.ts";

/**
 * The import end to end: the real daemon in a child process, the real CLI in
 * others, the sample export from `shared/data/crm` beside the repository.
 */

const REPO = resolve(import.meta.dirname, "../..");
const CRM = resolve(REPO, "../shared/data/crm");
const DAEMON = join(REPO, "bin/partnerosd");
const SLOW = 180_000;

type Row = Record<string, string>;

interface Daemon {
  url: string;
  token: string;
  dir: string;
  child: ChildProcess;
}

/** Every daemon still running; those in `shared` serve a whole describe block. */
const running = new Set<Daemon>();
const shared = new Set<Daemon>();
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A fresh data dir with an operator owner, served by `bin/partnerosd` on a free port. */
async function startDaemon(): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), "partneros-e2e-"));
  const store = await openStore({ path: join(dir, "partneros.db") });
  const boot = await bootstrapOperator(store, {
    email: "owner@import.test",
    password: "an end-to-end passphrase",
    sessionTtlMs: 3_600_000,
  });
  await store.close();
  ensureKeyFile(join(dir, "master.keys"));

  const child = spawn(process.execPath, [DAEMON, "--data-dir", dir, "--port", "0"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "ignore"],
  });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error("the daemon did not start in 20 s")), 20_000);
    child.once("exit", (code) => fail(new Error(`the daemon exited with ${code}`)));
    if (!child.stdout) throw new Error("no stdout");
    createInterface({ input: child.stdout }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === "daemon.started" && entry.url) {
        clearTimeout(timer);
        done(entry.url);
      }
    });
  });
  const daemon = { url, token: boot.sessionToken, dir, child };
  running.add(daemon);
  return daemon;
}

/** Stops a daemon, then removes its data dir. */
async function stopDaemon(daemon: Daemon): Promise<void> {
  running.delete(daemon);
  if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
    const exited = new Promise((done) => daemon.child.once("exit", done));
    daemon.child.kill("SIGTERM");
    await exited;
  }
  rmSync(daemon.dir, { recursive: true, force: true });
}

/** `partneros …` against a daemon, as a script runs it: no terminal, no profile. */
function cli(daemon: Daemon, args: readonly string[]): Promise<CliRun> {
  return runCli(args, {
    PARTNEROS_URL: daemon.url,
    PARTNEROS_TOKEN: daemon.token,
    PARTNEROS_CONFIG_DIR: tempDir("partneros-e2e-config-"),
  });
}

async function json<T>(daemon: Daemon, args: readonly string[]): Promise<T> {
  const run = await cli(daemon, [...args, "--json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A read straight from the daemon, to check what the CLI left behind. */
async function get<T>(daemon: Daemon, path: string): Promise<T> {
  const response = await fetch(`${daemon.url}${path}`, {
    headers: { authorization: `Bearer ${daemon.token}` },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

function readCsv(dir: string, file: string): Row[] {
  return parse(readFileSync(join(dir, file), "utf8"), { columns: true, bom: true, trim: true });
}

/** Won deals per partner, as the CSV files add them up: count and cents. */
function wonByPartner(dir: string): Map<string, { deals: number; total: number }> {
  const partnerOf = new Map(
    readCsv(dir, "sales_teams.csv").map((agent) => [agent.sales_agent, agent.partner_org]),
  );
  const won = new Map<string, { deals: number; total: number }>();
  for (const deal of readCsv(dir, "sales_pipeline.csv")) {
    if (deal.deal_stage !== "Won") continue;
    const partner = partnerOf.get(deal.sales_agent ?? "");
    if (!partner) throw new Error(`agent ${deal.sales_agent} has no partner`);
    const sum = won.get(partner) ?? { deals: 0, total: 0 };
    won.set(partner, {
      deals: sum.deals + 1,
      total: sum.total + Math.round(Number(deal.close_value) * 100),
    });
  }
  return won;
}

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}
interface Summary {
  status: string;
  entities: Record<string, Counts>;
  issues: { file: string; line: number; message: string }[];
}
interface QueryResult {
  rows: { group: string; currency: string; deals: number; total: number }[];
}

afterEach(async () => {
  await Promise.all([...running].filter((d) => !shared.has(d)).map(stopDaemon));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await Promise.all([...running].map(stopDaemon));
});

it("finds the sample export beside the repository", () => {
  expect(existsSync(join(CRM, "sales_pipeline.csv")), `no sample data in ${CRM}`).toBe(true);
});

describe("partneros import of the sample export", { timeout: SLOW }, () => {
  let daemon: Daemon;
  let first: Summary;

  beforeAll(async () => {
    daemon = await startDaemon();
    shared.add(daemon);
    first = await json<Summary>(daemon, ["import", CRM]);
  }, SLOW);

  it("creates every partner, user, product and deal of the CSV files", () => {
    const deals = readCsv(CRM, "sales_pipeline.csv").length;
    expect(first.status).toBe("applied");
    expect(first.issues).toEqual([]);
    expect(first.entities.partners?.created).toBe(readCsv(CRM, "partners.csv").length);
    expect(first.entities.products?.created).toBe(readCsv(CRM, "products.csv").length);
    expect(first.entities.deals).toEqual({ created: deals, updated: 0, unchanged: 0, skipped: 0 });
  });

  it("reports per partner the won deals and their value that the CSV files add up to", async () => {
    const result = await json<QueryResult>(daemon, [
      "query",
      "deals",
      "--all-partners",
      "--stage",
      "Won",
      "--group-by",
      "partner",
      "--reason",
      "test",
    ]);

    const expected = [...wonByPartner(CRM)]
      .map(([group, sum]) => ({ group, currency: "USD", ...sum }))
      .sort((a, b) => a.group.localeCompare(b.group));
    expect(expected.length).toBeGreaterThan(1);
    expect(result.rows).toEqual(expected);
  });

  it("creates and updates nothing when run a second time", async () => {
    const second = await json<Summary>(daemon, ["import", CRM]);

    for (const counts of Object.values(second.entities)) {
      expect([counts.created, counts.updated]).toEqual([0, 0]);
    }
    expect(second.entities.deals?.unchanged).toBe(readCsv(CRM, "sales_pipeline.csv").length);
  });

  it("leaves no import key active", async () => {
    const tenants = await get<{ data: { slug: string }[] }>(daemon, "/v1/tenants");
    for (const { slug } of tenants.data) {
      const keys = await get<{ data: { status: string }[] }>(daemon, `/v1/keys?org=${slug}`);
      expect(keys.data.length, slug).toBeGreaterThan(0);
      expect(keys.data.filter((key) => key.status === "active")).toEqual([]);
    }
  });
});

describe("partneros import --dry-run", { timeout: SLOW }, () => {
  it("plans the whole export on a fresh daemon and writes nothing", async () => {
    const daemon = await startDaemon();

    const plan = await json<Summary>(daemon, ["import", CRM, "--dry-run"]);
    const tenants = await get<{ data: unknown[] }>(daemon, "/v1/tenants");
    const products = await get<{ data: unknown[] }>(daemon, "/v1/products");

    expect(plan.status).toBe("planned");
    expect(plan.entities.deals?.created).toBe(readCsv(CRM, "sales_pipeline.csv").length);
    expect(tenants.data).toEqual([]);
    expect(products.data).toEqual([]);
  });
});

describe("partneros import of an export with bad rows", { timeout: SLOW }, () => {
  /** A copy of the sample with four broken deals; returns the copy and their line numbers. */
  function corruptedCopy() {
    const dir = tempDir("partneros-bad-crm-");
    cpSync(CRM, dir, { recursive: true });
    const rows = readCsv(dir, "sales_pipeline.csv");
    const header = Object.keys(rows[0] ?? {});
    const breakRow = (index: number, change: Row) => {
      rows[index] = { ...rows[index], ...change };
      return index + 2; // line 1 is the header
    };
    const lines = {
      product: breakRow(0, { product: "GTX Ultra" }),
      date: breakRow(1, { engage_date: "2017-02-30" }),
      amount: breakRow(2, { close_value: "-5" }),
      id: breakRow(3, { opportunity_id: "" }),
    };
    const pipeline = join(dir, "sales_pipeline.csv");
    chmodSync(pipeline, 0o644); // the shared sample is read-only, and so is its copy
    writeFileSync(pipeline, stringify(rows, { header: true, columns: header }));
    return { dir, lines, deals: rows.length };
  }

  it("names each bad row by file:line and with --on-error abort changes nothing", async () => {
    const daemon = await startDaemon();
    const { dir, lines } = corruptedCopy();

    const run = await cli(daemon, ["import", dir, "--on-error", "abort"]);
    const tenants = await get<{ data: unknown[] }>(daemon, "/v1/tenants");

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error VALIDATION_FAILED: 4 rows with problems; nothing was imported/,
    );
    expect(run.stdout).toContain(
      `sales_pipeline.csv:${lines.product}: unknown product "GTX Ultra"`,
    );
    expect(run.stdout).toContain(`sales_pipeline.csv:${lines.date}: bad date "2017-02-30"`);
    expect(run.stdout).toContain(`sales_pipeline.csv:${lines.amount}: negative amount -5`);
    expect(run.stdout).toContain(`sales_pipeline.csv:${lines.id}: missing field opportunity id`);
    expect(tenants.data).toEqual([]);
  });

  it("aborts by default when stdin is not a terminal", async () => {
    const daemon = await startDaemon();
    const { dir } = corruptedCopy();

    const run = await cli(daemon, ["import", dir, "--json"]);

    expect(run.code).toBe(2);
    expect((JSON.parse(run.stdout) as Summary).status).toBe("aborted");
  });

  it("imports every other row with --on-error skip", async () => {
    const daemon = await startDaemon();
    const { dir, lines, deals } = corruptedCopy();

    const summary = await json<Summary>(daemon, ["import", dir, "--on-error", "skip"]);
    const byStage = await json<QueryResult>(daemon, [
      "query",
      "deals",
      "--all-partners",
      "--group-by",
      "stage",
      "--reason",
      "test",
    ]);

    expect(summary.issues.map((issue) => issue.line).sort()).toEqual(Object.values(lines).sort());
    expect(summary.entities.deals).toEqual({
      created: deals - 4,
      updated: 0,
      unchanged: 0,
      skipped: 4,
    });
    expect(byStage.rows.reduce((sum, row) => sum + row.deals, 0)).toBe(deals - 4);
  });
});
