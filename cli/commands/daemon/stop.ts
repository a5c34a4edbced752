import { AppError } from "../../../core/errors.ts";
import { text } from "../../output/view.ts";
import { optionalString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { DATA_DIR_OPTION, dataDirOrThrow } from "./data-dir.ts";
import { isAlive, runningPid, waitUntil } from "./pid.ts";

const STOP_TIMEOUT_MS = 20_000;

export const daemonStop = defineCommand({
  name: "daemon stop",
  summary: "Stop the daemon (SIGTERM) and wait until it has exited",
  options: [DATA_DIR_OPTION],

  parse: (raw) => ({ dataDir: optionalString(raw, "dataDir") }),

  async run(input, context) {
    const dataDir = dataDirOrThrow(context, input.dataDir);
    const pid = runningPid(dataDir);
    if (pid === undefined) return { stopped: false, pid: null, dataDir };

    process.kill(pid, "SIGTERM");
    const exited = await waitUntil(() => !isAlive(pid), STOP_TIMEOUT_MS, 100);
    if (!exited) {
      const seconds = STOP_TIMEOUT_MS / 1000;
      throw new AppError("UNAVAILABLE", `the daemon (pid ${pid}) did not exit within ${seconds} s`);
    }
    return { stopped: true, pid, dataDir };
  },

  view: (result) => [
    text(
      result.stopped
        ? `Daemon stopped (pid ${result.pid}).`
        : `The daemon is not running (data dir ${result.dataDir}).`,
    ),
  ],
});
