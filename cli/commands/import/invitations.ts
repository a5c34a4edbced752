import { closeSync, openSync, writeSync } from "node:fs";
import { AppError } from "../../../core/errors.ts";

export interface InvitationRecord {
  email: string;
  partner: string;
  token: string;
  expiresAt: string;
}

/** Where invitation tokens go: a private file, or nowhere. */
export interface InvitationSink {
  readonly path: string | null;
  add(record: InvitationRecord): void;
  /** Writes what was collected; safe to call once, also after a failure. */
  close(): void;
}

/** Keeps no token: the summary only says how many users were invited. */
export const dropInvitations = (): InvitationSink => ({
  path: null,
  add: () => {},
  close: () => {},
});

/**
 * Claims `path` at once, mode 0600 and never over an existing file, so a
 * clash stops the import before anything is written to the daemon.
 */
export function invitationsFile(path: string): InvitationSink {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "EEXIST") {
      throw new AppError("CONFLICT", `${path} exists; choose a new file for --invitations-out`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("VALIDATION_FAILED", `cannot create ${path}: ${reason}`);
  }
  const records: InvitationRecord[] = [];
  let open = true;
  return {
    path,
    add: (record) => {
      records.push(record);
    },
    close: () => {
      if (!open) return;
      open = false;
      try {
        writeSync(fd, `${JSON.stringify(records, null, 2)}\n`);
      } finally {
        closeSync(fd);
      }
    },
  };
}
