import * as api from "../../api/operations.ts";
import { createHttp } from "../../client.ts";
import { resolveUrl } from "../../connection.ts";
import { reportOf } from "../../errors.ts";
import { fields } from "../../output/view.ts";
import { optionalString } from "../../parse.ts";
import { defineCommand } from "../define.ts";
import { DATA_DIR_OPTION, dataDirOf } from "./data-dir.ts";
import { pidFile, runningPid } from "./pid.ts";

export const daemonStatus = defineCommand({
  name: "daemon status",
  summary: "Show whether the daemon runs and what /healthz answers",
  options: [DATA_DIR_OPTION],
  operation: "GET /healthz",

  parse: (raw) => ({ dataDir: optionalString(raw, "dataDir") }),

  async run(input, context) {
    const { runtime } = context;
    const dataDir = dataDirOf(context, input.dataDir);
    const pid = dataDir === undefined ? undefined : runningPid(dataDir);
    const url = resolveUrl(context.loadProfiles(), runtime.profileFlag, runtime.env);

    const http = createHttp({ baseUrl: url, timeoutMs: 2000 });
    const health = await api.health(http).then(
      (answer) => answer.status,
      (error: unknown) => `unreachable (${reportOf(error).code})`,
    );
    return {
      running: pid !== undefined,
      pid: pid ?? null,
      pidFile: dataDir === undefined ? null : pidFile(dataDir),
      dataDir: dataDir ?? null,
      url,
      health,
    };
  },

  view: (result) => [
    fields([
      ["running", result.running ? "yes" : "no"],
      ["pid", result.pid],
      ["data dir", result.dataDir],
      ["url", result.url],
      ["health", result.health],
    ]),
  ],
});
