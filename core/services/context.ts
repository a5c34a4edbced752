import type { Actor } from "../actor.ts";
import type { Store } from "../store/store.ts";

/** What every service call receives: the store, the actor and the request it came in. */
export interface ServiceContext {
  readonly store: Store;
  readonly actor: Actor;
  readonly requestId: string | null;
  readonly clientAddr: string | null;
}
