import argon2 from "argon2";
import { AppError } from "./errors.ts";

/** OWASP's argon2id baseline: 19 MiB, two passes, one lane. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export function assertPasswordAcceptable(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError(
      "VALIDATION_FAILED",
      `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;

/**
 * Spends the same work as a real check for an email that has no account, so
 * the answer's timing does not reveal whether the account exists.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  decoy ??= hashPassword("partneros-decoy-password");
  await verifyPassword(await decoy, password);
  return false;
}
