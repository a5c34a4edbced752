import { existsSync } from "node:fs";
import { AppError } from "../../../core/errors.ts";
import * as api from "../../api/operations.ts";
import { createHttp } from "../../client.ts";
import { fields, text, type View } from "../../output/view.ts";
import { optionalString, port } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { daemonAddress, localUrl } from "./address.ts";
import { DATA_DIR_OPTION, dataDirOrThrow, profileDaemon } from "./data-dir.ts";
import { logFile, readPid, runningPid, waitUntil } from "./pid.ts";
import { spawnDaemon } from "./spawn.ts";

const READY_TIMEOUT_MS = 20_000;

export const daemonStart = defineCommand({
  name: "daemon start",
  summary: "Start the daemon in the background and wait until it is ready",
  options: [
    DATA_DIR_OPTION,
    { flags: "--host <host>", description: "address to bind (default 127.0.0.1)" },
    { flags: "--port <port>", description: "port to bind (default 7420)" },
  ],
  operation: "GET /readyz",

  parse: (raw) => {
    const host = optionalString(raw, "host");
    const portText = optionalString(raw, "port");
    return {
      dataDir: optionalString(raw, "dataDir"),
      flags: {
        ...(host === undefined ? {} : { host }),
        ...(portText === undefined ? {} : { port: port(portText) }),
      },
    };
  },

  async run(input, context) {
    const dataDir = dataDirOrThrow(context, input.dataDir);
    if (!existsSync(dataDir)) {
      const hint = "run `partneros init` first";
      throw new AppError("NOT_CONFIGURED", `data dir ${dataDir} does not exist; ${hint}`);
    }
    const profileUrl = profileDaemon(context).url;
    const address = daemonAddress(input.flags, context.runtime.env, profileUrl);
    const url = localUrl(address);
    const log = logFile(dataDir);

    const running = runningPid(dataDir);
    if (running !== undefined) {
      // The address it was started with is not recorded; the profile's is the best guess.
      return {
        started: false,
        pid: running,
        url: profileUrl ?? url,
        dataDir,
        log,
        profileUrl: null,
      };
    }

    const daemon = spawnDaemon(dataDir, address, log, context.runtime.env);
    const http = createHttp({ baseUrl: url, timeoutMs: 1000 });
    const isReady = () =>
      api.ready(http).then(
        () => true,
        () => false,
      );
    const ready = await waitUntil(
      async () => daemon.exit() !== undefined || (await isReady()),
      READY_TIMEOUT_MS,
      250,
    );

    const exit = daemon.exit();
    if (exit !== undefined) {
      const refused = daemon.startError();
      if (refused)
        throw new AppError(refused.code, `the daemon refused to start: ${refused.message}`);
      const why = `the daemon stopped (${exit}) before it was ready; see ${log}`;
      throw new AppError("DAEMON_UNREACHABLE", why);
    }
    if (!ready) {
      const why = `the daemon at ${url} was not ready after ${READY_TIMEOUT_MS / 1000} s`;
      throw new AppError("DAEMON_UNREACHABLE", `${why}; see ${log}`);
    }
    const pid = readPid(dataDir) ?? daemon.pid ?? null;
    return { started: true, pid, url, dataDir, log, profileUrl: profileUrl ?? null };
  },

  view: (result) => {
    const view: View = [
      text(result.started ? "Daemon started." : "The daemon is already running."),
      fields([
        ["pid", result.pid],
        ["url", result.url],
        ["data dir", result.dataDir],
        ["log", result.log],
      ]),
    ];
    const { url, profileUrl } = result;
    if (!url || !profileUrl || profileUrl === url) return view;
    return [
      ...view,
      text(`Note: the profile points at ${profileUrl}; set PARTNEROS_URL to reach this daemon.`),
    ];
  },
});
