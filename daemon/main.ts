import { parseArgs } from "node:util";
import pino from "pino";
import { AppError } from "../core/errors.ts";
import { resolveConfig } from "./config.ts";
import { startDaemon } from "./server.ts";

const OPTIONS = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  config: { type: "string" },
  "log-level": { type: "string" },
  "session-ttl": { type: "string" },
  "master-key-file": { type: "string" },
  "outbound-allow": { type: "string" },
  "dns-resolver": { type: "string" },
  "domain-recheck": { type: "string" },
  "platform-hosts": { type: "string" },
  "webhook-timeout": { type: "string" },
  "webhook-concurrency": { type: "string" },
  "webhook-retry-schedule": { type: "string" },
  // Comma-separated like the other lists; repeating the flag adds to the list.
  "console-origin": { type: "string", multiple: true },
  help: { type: "boolean" },
} as const;

function parsed() {
  try {
    return parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (error) {
    // Bad flags are the operator's typo, not a crash: one line and exit 2.
    const message = error instanceof Error ? error.message : "bad arguments";
    process.stderr.write(`partnerosd: ${message}; see partnerosd --help\n`);
    process.exit(2);
  }
}

const values = parsed();
if (values.help) {
  const flags = Object.entries(OPTIONS)
    .map(([name, option]) => `  --${name}${option.type === "string" ? " <value>" : ""}`)
    .join("\n");
  process.stdout.write(
    `Usage: partnerosd [options]\n\nThe PartnerOS daemon. Options (docs/cli.md describes each;\n` +
      `PARTNEROS_* environment variables and a config file can set them too):\n${flags}\n`,
  );
  process.exit(0);
}

// Asynchronous writes keep logging off the request path; flushed before exit.
const destination = pino.destination({ dest: 1, sync: false });
const logger = pino({ level: "info" }, destination);
const exit = (code: number) => {
  destination.flushSync();
  process.exit(code);
};
try {
  const config = resolveConfig(
    {
      dataDir: values["data-dir"],
      host: values.host,
      port: values.port,
      config: values.config,
      logLevel: values["log-level"],
      sessionTtlMs: values["session-ttl"],
      masterKeyFile: values["master-key-file"],
      outboundAllow: values["outbound-allow"],
      dnsResolver: values["dns-resolver"],
      domainRecheckMs: values["domain-recheck"],
      platformHosts: values["platform-hosts"],
      webhookTimeoutMs: values["webhook-timeout"],
      webhookConcurrency: values["webhook-concurrency"],
      webhookRetrySchedule: values["webhook-retry-schedule"],
      consoleOrigins: values["console-origin"]?.join(","),
    },
    process.env,
  );
  logger.level = config.logLevel;
  const daemon = await startDaemon(config, logger);
  const shutdown = () => {
    daemon.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "daemon.stop_failed");
        exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (error) {
  const code = error instanceof AppError ? error.code : "INTERNAL";
  const message = error instanceof AppError ? error.message : "start-up failed";
  logger.fatal({ code, err: error instanceof AppError ? undefined : error }, message);
  exit(error instanceof AppError ? error.exitCode : 1);
}
