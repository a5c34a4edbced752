import { setTimeout as sleep } from "node:timers/promises";
import * as api from "../../api/operations.ts";
import type { MasterKeyStatus } from "../../api/types.ts";
import { CliError } from "../../errors.ts";
import { text } from "../../output/view.ts";
import { defineCommand } from "../define.ts";
import { masterKeyTable } from "./status.ts";

const POLL_MS = 500;

export const masterKeyRotate = defineCommand({
  name: "master-key rotate",
  summary: "Make a new primary master key and re-seal every stored secret under it",
  options: [
    {
      flags: "--no-wait",
      description: "return once the daemon has started; follow with master-key status",
    },
  ],
  operation: "POST /v1/master-key/rotate",

  // Commander turns --no-wait into wait: false.
  parse: (raw) => ({ wait: raw.options.wait !== false }),

  async run(input, context): Promise<MasterKeyStatus> {
    const { http } = await context.session();
    const progress = context.runtime.progress ?? (() => {});

    const started = await api.rotateMasterKey(http);
    progress(
      started.resumed
        ? `finishing an earlier rotation to version ${started.toVersion}`
        : `re-sealing under the new version ${started.toVersion}`,
    );
    let status = await api.masterKeyStatus(http);
    while (input.wait && status.rotation.state === "running") {
      progress(`${status.rotation.resealed} rows re-sealed, ${status.pending} ciphertexts pending`);
      await sleep(POLL_MS);
      status = await api.masterKeyStatus(http);
    }
    return status;
  },

  view: (status) => [...masterKeyTable(status), text(rotationLine(status))],

  failure: (status) =>
    status.rotation.state === "failed" || status.rotation.state === "stopped"
      ? new CliError("ROTATION_INCOMPLETE", rotationLine(status))
      : undefined,
});

function rotationLine({ rotation, pending }: MasterKeyStatus): string {
  const { state, toVersion, resealed, failed } = rotation;
  switch (state) {
    case "running":
      return (
        `rotation to version ${toVersion} running: ${resealed} rows re-sealed, ` +
        `${pending} ciphertexts pending`
      );
    case "done":
      return (
        `rotation to version ${toVersion} done: ${resealed} rows re-sealed, ` +
        `${pending} ciphertexts pending`
      );
    case "failed":
      return (
        `rotation to version ${toVersion} left ${pending} ciphertexts behind; ` +
        (failed.length
          ? `these credentials fail their integrity check: ${failed.join(", ")}`
          : "see the daemon log, then run it again")
      );
    case "stopped":
      return `rotation to version ${toVersion} stopped with ${pending} pending; run it again`;
    case "idle":
      return `no rotation has run since the daemon started; ${pending} pending`;
  }
}
