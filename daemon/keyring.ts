import type { Keyring } from "../core/secrets/keyring.ts";
import { keyringFromCommand, keyringFromFile, parseKeyring } from "../core/secrets/keyring.ts";
import type { MasterKeySource } from "./config.ts";

/**
 * Loads the master keys from their configured source. A missing key file is
 * NOT_CONFIGURED and one that group or others can access DATA_DIR_INSECURE:
 * either stops start-up before the store is served.
 */
export function loadKeyring(source: MasterKeySource): Promise<Keyring> {
  switch (source.kind) {
    case "env":
      return Promise.resolve(
        source.document.use((text) => parseKeyring(text, "PARTNEROS_MASTER_KEYS")),
      );
    case "command":
      return keyringFromCommand(source.command, source.args);
    case "file":
      return Promise.resolve().then(() => keyringFromFile(source.path));
  }
}
