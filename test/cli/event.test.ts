/**
 * `partneros event`: the push file formats and batching on their own, then
 * the real CLI against a real app on loopback with a machine key holding
 * only events.write (so the pre-flight cannot read GET /v1/me): per-item results,
 * the summary, exit 15 when an item is refused, a re-run that only finds
 * duplicates, and list/show for operators.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../../bench/server.ts";
import {
  BATCH_BYTES,
  BATCH_ITEMS,
  batchesOf,
  parseEventsText,
} from "../../cli/commands/event/read.ts";
import { exitCodeOf } from "../../cli/errors.ts";
import { createWorld, type World } from "../harness.ts";
import { createKey, createTenant, type Tenant } from "../security/actors.ts";
import { type CliRun, runCli } from "../support/cli.ts";
import { eventBody, eventRows } from "../support/events.ts";

describe("a push file", () => {
  const a = { eventId: "a", type: "click" };
  const b = { eventId: "b", type: "lead" };

  it.each([
    ["a JSON array", JSON.stringify([a, b])],
    ["an events object", JSON.stringify({ events: [a, b] })],
    ["NDJSON with blank lines", `${JSON.stringify(a)}\n\n${JSON.stringify(b)}\r\n`],
  ])("holds its events as %s", (_, text) => {
    expect(parseEventsText(text, "f.json")).toEqual([a, b]);
  });

  it("may be one event object", () => {
    expect(parseEventsText(JSON.stringify(a), "f.json")).toEqual([a]);
  });

  it.each([
    ["empty", "  \n", /f\.json holds no events/],
    ["an empty array", "[]", /holds no events/],
    ["a broken line of NDJSON", `${JSON.stringify(a)}\n{oops\n`, /f\.json:2: not a JSON value/],
    ["a number", "42", /must hold a JSON array/],
    ["events that are no list", JSON.stringify({ events: a }), /must hold a JSON array/],
  ])("that is %s is refused before anything is sent", (_, text, message) => {
    expect(() => parseEventsText(text, "f.json")).toThrow(message);
  });

  it("is cut into batches of at most 1,000 items, in order", () => {
    const items = Array.from({ length: 2_345 }, (_, i) => ({ eventId: `e${i}` }));

    const batches = batchesOf(items);

    expect(batches.map((batch) => batch.length)).toEqual([BATCH_ITEMS, BATCH_ITEMS, 345]);
    expect(batches.flat()).toEqual(items);
  });

  it("is cut before a batch would pass the body size the daemon accepts", () => {
    const big = (i: number) => ({ eventId: `e${i}`, attributes: { note: "n".repeat(250) } });
    const items = Array.from({ length: 5_000 }, (_, i) => big(i));

    const batches = batchesOf(items);

    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify({ events: batch }))).toBeLessThan(BATCH_BYTES + 64);
    }
    expect(batches.flat()).toEqual(items);
  });
});

let world: World;
let server: Server;
let url: string;
let partner: Tenant;
let pushToken: string;
let dir: string;

beforeAll(async () => {
  world = await createWorld();
  ({ server, url } = await listen(world.app.fetch));
  partner = await createTenant(world, "cli-events");
  // A pipeline key holds events.write alone; the CLI then leaves every check to the daemon.
  const key = await createKey(world, partner.slug, {
    role: "partner_member",
    scopes: ["events.write"],
  });
  pushToken = key.token;
  dir = mkdtempSync(join(tmpdir(), "partneros-cli-events-"));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], token: string, stdin = ""): Promise<CliRun> {
  return runCli(
    args,
    { PARTNEROS_URL: url, PARTNEROS_TOKEN: token, PARTNEROS_CONFIG_DIR: dir },
    stdin,
  );
}

describe("partneros event push", () => {
  it("sends NDJSON from stdin with an events.write key and prints each result", async () => {
    const events = [eventBody("click"), eventBody("sale"), eventBody("lead")];
    const ndjson = events.map((e) => JSON.stringify(e)).join("\n");

    const run = await cli(["event", "push", "-", "--json"], pushToken, ndjson);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.summary).toEqual({ accepted: 3, duplicate: 0, rejected: 0 });
    expect(out.results.map((r: { eventId: string }) => r.eventId)).toEqual(
      events.map((e) => e.eventId),
    );
    expect((await eventRows(world, partner.id)).map((r) => r.external_id)).toEqual(
      expect.arrayContaining(events.map((e) => e.eventId)),
    );
  });

  it("leaves the check to the daemon for a key without me.read: other commands get 403", async () => {
    const run = await cli(["deal", "list"], pushToken);

    expect(run.code).toBe(exitCodeOf("FORBIDDEN"));
    expect(run.stderr).toContain("FORBIDDEN: this operation requires deals.read");
  });

  it("exits 15 EVENTS_REJECTED when any item is refused, after printing every result", async () => {
    const file = join(dir, "mixed.json");
    const good = eventBody("signup");
    writeFileSync(file, JSON.stringify([good, eventBody("sale", { amount: 0 })]));

    const run = await cli(["event", "push", file], pushToken);

    expect(run.code).toBe(15);
    expect(exitCodeOf("EVENTS_REJECTED")).toBe(15);
    expect(run.stdout).toContain(good.eventId);
    expect(run.stdout).toMatch(/rejected\s+-\s+VALIDATION_FAILED/);
    expect(run.stdout).toMatch(/accepted:\s+1/);
    expect(run.stderr).toContain("EVENTS_REJECTED: 1 of 2 events were rejected");
  });

  it("run again over the same file finds only duplicates, and exits 0", async () => {
    const file = join(dir, "again.json");
    writeFileSync(file, JSON.stringify({ events: [eventBody("click"), eventBody("lead")] }));
    const first = await cli(["event", "push", file, "--csv"], pushToken);

    const again = await cli(["event", "push", file, "--csv"], pushToken);

    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    const lines = again.stdout.trim().split("\n");
    expect(lines[0]).toBe("index,eventId,outcome,id,code,message");
    expect(lines.slice(1).every((line) => line.includes(",duplicate,evt_"))).toBe(true);
  });

  it("sends a file of 1,500 events in two requests and reports them with one index", async () => {
    const events = Array.from({ length: 1_500 }, () => eventBody("click"));

    const run = await cli(["event", "push", "-", "--json"], pushToken, JSON.stringify(events));

    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.batches).toBe(2);
    expect(out.summary.accepted).toBe(1_500);
    expect(out.results.map((r: { index: number }) => r.index)).toEqual(events.map((_, i) => i));
  });

  it("needs --partner for an operator, and with it pushes into that partner", async () => {
    const body = JSON.stringify(eventBody("refund"));

    const without = await cli(["event", "push", "-"], world.ownerToken, body);
    const withOrg = await cli(
      ["event", "push", "-", "--partner", partner.slug],
      world.ownerToken,
      body,
    );

    expect(without.code).toBe(2);
    expect(without.stderr).toContain("SCOPE_REQUIRED");
    expect(withOrg.code).toBe(0);
  });
});

describe("partneros event list and show", () => {
  it("list the partner's events with filters, and show one, for an operator", async () => {
    const sale = eventBody("sale", { occurredAt: "2026-04-01T08:00:00+02:00" });
    const pushed = await cli(["event", "push", "-", "--json"], pushToken, JSON.stringify(sale));
    const id = JSON.parse(pushed.stdout).results[0].id;

    const list = await cli(
      ["event", "list", "--partner", partner.slug, "--type", "sale", "--json", "--all"],
      world.ownerToken,
    );
    const show = await cli(["event", "show", id, "--partner", partner.slug], world.ownerToken);

    expect(list.code).toBe(0);
    const data = JSON.parse(list.stdout).data as { id: string; type: string }[];
    expect(data.map((e) => e.id)).toContain(id);
    expect(data.every((e) => e.type === "sale")).toBe(true);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/occurred:\s+2026-04-01T06:00:00\.000Z/);
    expect(show.stdout).toMatch(/amount:\s+€125\.00/);
  });

  it("refuse a key without events.read before calling the daemon", async () => {
    const run = await cli(["event", "list"], pushToken);

    expect(run.code).toBe(4);
    expect(run.stderr).toContain("events.read");
  });
});
