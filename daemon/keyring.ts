import { keyringFromCommand, parseKeyring } from "../core/secrets/keyring.ts";
import { fileKeySource, type KeySource } from "../core/secrets/live-keyring.ts";
import type { MasterKeySource } from "./config.ts";

/**
 * The configured source of the master keys. A missing key file is
 * NOT_CONFIGURED and one that group or others can access DATA_DIR_INSECURE:
 * either stops start-up before the store is served. Only a key file is
 * writable, so only there can rotation make a new version by itself.
 */
export function keySourceFor(source: MasterKeySource): KeySource {
  switch (source.kind) {
    case "env":
      return {
        description: "PARTNEROS_MASTER_KEYS",
        load: () =>
          Promise.resolve(
            source.document.use((text) => parseKeyring(text, "PARTNEROS_MASTER_KEYS")),
          ),
      };
    case "command":
      return {
        description: `key command ${source.command}`,
        load: () => keyringFromCommand(source.command, source.args),
      };
    case "file":
      return fileKeySource(source.path);
  }
}
