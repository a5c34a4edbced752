// Prints the OpenAPI document generated from the route declarations, with no
// daemon running: the test command lints it.
import pino from "pino";
import { LiveKeyring } from "../core/secrets/live-keyring.ts";
import { defaultLoginPolicy } from "../core/services/sessions.ts";
import { openStore } from "../core/store/store.ts";
import { createApp } from "../daemon/app.ts";

const store = await openStore({ path: ":memory:" });
const { document } = createApp({
  store,
  logger: pino({ level: "silent" }),
  loginPolicy: defaultLoginPolicy(3_600_000),
  keys: LiveKeyring.ephemeral(),
});
process.stdout.write(`${JSON.stringify(document(), null, 2)}\n`);
await store.close();
