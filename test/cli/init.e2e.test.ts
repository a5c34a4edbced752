import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyringFromFile } from "../../core/secrets/keyring.ts";
import { runCli } from "../support/cli.ts";

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function cli(
  args: readonly string[],
  configDir: string,
  stdin = "",
): Promise<{ code: number | null; err: string }> {
  const { code, stderr } = await runCli(args, { PARTNEROS_CONFIG_DIR: configDir }, stdin);
  return { code, err: stderr };
}

function init(dataDir: string, configDir: string): Promise<{ code: number | null; err: string }> {
  return cli(
    ["init", "--data-dir", dataDir, "--email", "owner@init.test", "--password-stdin"],
    configDir,
    "an init passphrase that is long enough\n",
  );
}

describe("partneros init", () => {
  it("creates the master key file with mode 0600 and one primary 256-bit key", async () => {
    const dataDir = join(tempDir("partneros-init-"), "data");
    const path = join(dataDir, "master.keys");

    const run = await init(dataDir, tempDir("partneros-init-config-"));

    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const keyring = keyringFromFile(path);
    expect(keyring.primary).toBe(1);
    expect(keyring.versions()).toEqual([1]);
    expect(JSON.parse(readFileSync(path, "utf8")).primary).toBe(1);
  });

  it("keeps an existing key file when it refuses a second init", async () => {
    const dataDir = join(tempDir("partneros-init-"), "data");
    const path = join(dataDir, "master.keys");
    await init(dataDir, tempDir("partneros-init-config-"));
    const before = readFileSync(path, "utf8");

    const again = await init(dataDir, tempDir("partneros-init-config-"));

    expect(again.code).toBe(6);
    expect(readFileSync(path, "utf8")).toBe(before);
  });

  // Found by the outside trial: the refusal's reason was only in the log file.
  it("lets daemon start say why the daemon refused, with the daemon's own code", async () => {
    const dataDir = join(tempDir("partneros-init-"), "data");
    const configDir = tempDir("partneros-init-config-");
    expect((await init(dataDir, configDir)).code).toBe(0);
    chmodSync(join(dataDir, "master.keys"), 0o644);

    const port = await new Promise<number>((done) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        done((probe.address() as AddressInfo).port);
        probe.close();
      });
    });
    const run = await cli(
      ["daemon", "start", "--data-dir", dataDir, "--port", String(port)],
      configDir,
    );

    expect(run.code).toBe(9);
    expect(run.err).toContain("error DATA_DIR_INSECURE: the daemon refused to start:");
    expect(run.err).toContain("master.keys is accessible to other users");
  });
});
