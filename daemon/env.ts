import type { HttpBindings } from "@hono/node-server";
import type { Logger } from "pino";
import type { Actor } from "../core/actor.ts";

/** Per-request values shared by middleware and handlers. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    requestId: string;
    clientAddr: string | null;
    log: Logger;
    actor: Actor;
  };
}
