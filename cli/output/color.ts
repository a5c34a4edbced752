import { Chalk, type ChalkInstance } from "chalk";

type Env = Readonly<Record<string, string | undefined>>;

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty. */
export function colorEnabled(env: Env, stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function paint(env: Env, stream: { isTTY?: boolean }): ChalkInstance {
  return new Chalk({ level: colorEnabled(env, stream) ? 1 : 0 });
}
