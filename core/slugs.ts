import { AppError } from "./errors.ts";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case letters, digits and inner hyphens, 1 to 63 characters. */
export function assertSlug(slug: string): string {
  if (!SLUG.test(slug)) {
    throw new AppError(
      "VALIDATION_FAILED",
      "slug must be 1-63 lower-case letters, digits or inner hyphens",
    );
  }
  return slug;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
