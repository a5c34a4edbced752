import { join, resolve } from "node:path";
import { AppError } from "../../core/errors.ts";
import { assertPasswordAcceptable } from "../../core/passwords.ts";
import { ensureKeyFile } from "../../core/secrets/keyring.ts";
import { bootstrapOperator } from "../../core/services/bootstrap.ts";
import { openStore, type Store } from "../../core/store/store.ts";
import { DEFAULT_PROFILE, DEFAULT_URL, profileOf } from "../connection.ts";
import { ensurePrivateDir } from "../data-dir.ts";
import { fields, text } from "../output/view.ts";
import { baseUrl, flag, optionalString, requiredString } from "../parse.ts";
import type { ProfilesFile } from "../profiles.ts";
import { promptNewPassword, readLines, secretLine, type Terminal } from "../secrets.ts";
import { defineCommand } from "./define.ts";
import { PASSWORD_STDIN_OPTION } from "./options.ts";

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export const init = defineCommand({
  name: "init",
  summary:
    "Create the data dir, its master key file, the operator org and its owner, and save a profile",
  options: [
    { flags: "--data-dir <dir>", description: "where the daemon keeps its data", required: true },
    { flags: "--email <email>", description: "the owner's email", required: true },
    { flags: "--name <name>", description: "the owner's display name (default: the email)" },
    PASSWORD_STDIN_OPTION,
    { flags: "--url <url>", description: `URL the daemon will serve (default ${DEFAULT_URL})` },
  ],

  parse: (raw) => ({
    dataDir: resolve(requiredString(raw, "dataDir")),
    email: requiredString(raw, "email"),
    name: optionalString(raw, "name"),
    passwordStdin: flag(raw, "passwordStdin"),
    url: baseUrl(optionalString(raw, "url") ?? DEFAULT_URL),
  }),

  async run(input, context) {
    const profiles = context.loadProfiles();
    const profile = context.runtime.profileFlag ?? DEFAULT_PROFILE;
    assertProfileFree(profiles, profile, input.dataDir);
    ensurePrivateDir(input.dataDir);
    // Before the store: an initialized store without its key file could not start.
    const masterKeyFile = join(input.dataDir, "master.keys");
    ensureKeyFile(masterKeyFile);

    const store = await openStore({ path: join(input.dataDir, "partneros.db") });
    const result = await initialize(store, input, context.runtime.terminal).finally(() =>
      store.close(),
    );

    const current = profiles.current ?? profile;
    const saved = { url: input.url, token: result.sessionToken, dataDir: input.dataDir };
    context.saveProfiles({ current, profiles: { ...profiles.profiles, [profile]: saved } });
    return {
      orgId: result.orgId,
      userId: result.userId,
      dataDir: input.dataDir,
      masterKeyFile,
      url: input.url,
      profile,
      profilesPath: context.runtime.profilesPath,
      sessionExpiresAt: result.expiresAt,
    };
  },

  view: (result) => [
    fields([
      ["org", result.orgId],
      ["owner", result.userId],
      ["data dir", result.dataDir],
      ["master keys", `${result.masterKeyFile} (back it up; mode 0600)`],
      ["profile", `${result.profile} (${result.profilesPath})`],
      ["session expires", result.sessionExpiresAt],
    ]),
    text("Next: partneros daemon start"),
  ],
});

interface InitInput {
  dataDir: string;
  email: string;
  name: string | undefined;
  passwordStdin: boolean;
}

async function initialize(store: Store, input: InitInput, terminal: Terminal) {
  const existing = await store.db.selectFrom("orgs").select("id").limit(1).executeTakeFirst();
  if (existing) throw alreadyInitialized(input.dataDir);

  const password = input.passwordStdin
    ? secretLine(await readLines(terminal.input), 0, "password")
    : await promptNewPassword(terminal, "--password-stdin");
  assertPasswordAcceptable(password);

  const bootstrap = { email: input.email, password, sessionTtlMs: SESSION_TTL_MS };
  const withName = input.name === undefined ? bootstrap : { ...bootstrap, name: input.name };
  return bootstrapOperator(store, withName).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "ALREADY_INITIALIZED") {
      throw alreadyInitialized(input.dataDir);
    }
    throw error;
  });
}

function alreadyInitialized(dataDir: string): AppError {
  return new AppError(
    "ALREADY_INITIALIZED",
    `data dir ${dataDir} is already initialized; log in with \`partneros login\` instead`,
  );
}

/** Refuses to overwrite a profile that holds a session for another data dir or daemon. */
function assertProfileFree(file: ProfilesFile, name: string, dataDir: string): void {
  const existing = profileOf(file, name);
  if (!existing?.token || existing.dataDir === dataDir) return;
  throw new AppError(
    "CONFLICT",
    `profile ${name} is already in use (${existing.dataDir ?? existing.url}); ` +
      "choose another with --profile <name>",
  );
}
