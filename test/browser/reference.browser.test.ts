/**
 * The API reference in a real browser (issue #6): the real daemon in a child
 * process, headless Chromium at /usr/bin/chromium opening its /docs. The page
 * must render the operations from the daemon's own document, call nothing but
 * that daemon, break none of its Content-Security-Policy and log no error, and
 * "Try it out" with a bearer token must reach the same daemon. Without Chromium
 * this suite fails; it never skips.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureKeyFile } from "../../core/secrets/keyring.ts";
import { bootstrapOperator } from "../../core/services/bootstrap.ts";
import { openStore } from "../../core/store/store.ts";
import { cleanEnv } from "../support/cli.ts";

const CHROMIUM = "/usr/bin/chromium";
const DAEMON = resolve(import.meta.dirname, "../../bin/partnerosd");

let dir: string;
let profileDir: string;
let daemon: ChildProcess;
let url: string;
let token: string;
let context: BrowserContext;

/** What the page did: every URL it requested, its CSP violations and its errors. */
interface Watched {
  requests: string[];
  errors: string[];
}

/** Starts `bin/partnerosd` on a free port over a fresh data dir; resolves to its URL. */
function startDaemon(): Promise<string> {
  daemon = spawn(process.execPath, [DAEMON, "--data-dir", dir, "--port", "0"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((done, fail) => {
    daemon.once("exit", (code) => fail(new Error(`the daemon exited with ${code}`)));
    if (!daemon.stdout) throw new Error("no stdout");
    createInterface({ input: daemon.stdout }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === "daemon.started" && entry.url) done(entry.url);
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium ` +
        "(apt-get install -y --no-install-recommends chromium); this test never skips",
    );
  }
  dir = mkdtempSync(join(tmpdir(), "partneros-docs-"));
  const store = await openStore({ path: join(dir, "partneros.db") });
  const boot = await bootstrapOperator(store, {
    email: "owner@docs.test",
    password: "a reference passphrase",
    sessionTtlMs: 3_600_000,
  });
  await store.close();
  token = boot.sessionToken;
  ensureKeyFile(join(dir, "master.keys"));
  url = await startDaemon();

  profileDir = mkdtempSync(join(tmpdir(), "partneros-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((done) => daemon.once("exit", done));
    daemon.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** A new tab recording its requests, console errors, page errors and CSP violations. */
async function watchedTab(): Promise<{ tab: Page; watched: Watched }> {
  const tab = await context.newPage();
  const watched: Watched = { requests: [], errors: [] };
  tab.on("request", (request) => watched.requests.push(request.url()));
  tab.on("console", (message) => {
    if (message.type() === "error") watched.errors.push(`console: ${message.text()}`);
  });
  tab.on("pageerror", (error) => watched.errors.push(`page: ${error.message}`));
  await tab.exposeFunction("reportViolation", (text: string) => watched.errors.push(text));
  await tab.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportViolation: (text: string) => void })
        .reportViolation;
      report(`csp: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { tab, watched };
}

/** Requests that went anywhere but the daemon (data: URLs are the page's own bytes). */
const elsewhere = (watched: Watched) =>
  watched.requests.filter(
    (request) => !request.startsWith(`${url}/`) && !request.startsWith("data:"),
  );

describe("the API reference at /docs", () => {
  it("renders the daemon's operations with their permission, calling only the daemon", async () => {
    const { tab, watched } = await watchedTab();
    try {
      await tab.goto(`${url}/docs`);
      const listDeals = tab.locator("#operations-deals-listDeals");
      await listDeals.waitFor();
      await expect(listDeals.textContent()).resolves.toContain("/v1/deals");

      await listDeals.locator(".opblock-summary").first().click();
      await listDeals.locator(".opblock-body").waitFor();
      const body = (await listDeals.textContent()) ?? "";
      expect(body).toContain("x-permission");
      expect(body).toContain("deals.read");
      expect(await tab.locator(".opblock").count()).toBeGreaterThan(40);

      expect(watched.requests).toContain(`${url}/openapi.json`);
      expect(elsewhere(watched)).toEqual([]);
      expect(watched.errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);

  it("tries an operation out against the same daemon with a bearer token", async () => {
    const { tab, watched } = await watchedTab();
    try {
      await tab.goto(`${url}/docs`);
      await tab.locator("#operations-auth-getMe").waitFor();

      await tab.locator("button.authorize").first().click();
      await tab.locator(".modal-ux input").first().fill(token);
      await tab.locator(".modal-ux button.authorize").first().click();
      await tab.locator(".modal-ux button.btn-done").first().click();

      const getMe = tab.locator("#operations-auth-getMe");
      await getMe.locator(".opblock-summary").first().click();
      await getMe.locator("button.try-out__btn").click();
      const answered = tab.waitForResponse((response) => response.url() === `${url}/v1/me`);
      await getMe.locator("button.execute").click();
      const response = await answered;

      expect(response.status()).toBe(200);
      expect(((await response.json()) as { actor: { orgSlug: string } }).actor.orgSlug).toBe(
        "operator",
      );
      expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
      expect(elsewhere(watched)).toEqual([]);
      expect(watched.errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);
});
