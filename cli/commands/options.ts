import type { OptionDef } from "./define.ts";

/** `--partner` and its alias `--org`, passed to the daemon as `?org=`. */
export const PARTNER_OPTIONS: readonly OptionDef[] = [
  {
    flags: "--partner <org>",
    description: "partner org slug or id (partner actors may omit it: their own org)",
  },
  { flags: "--org <org>", description: "alias of --partner" },
];

export const URL_OPTION: OptionDef = {
  flags: "--url <url>",
  description: "daemon URL (default: PARTNEROS_URL, the profile's, or http://127.0.0.1:7420)",
};

export const PASSWORD_STDIN_OPTION: OptionDef = {
  flags: "--password-stdin",
  description: "read the password from the first line of stdin instead of a prompt",
};

/** `--limit` and `--cursor` of a cursor-paged listing. */
export const PAGE_OPTIONS: readonly OptionDef[] = [
  { flags: "--limit <n>", description: "at most this many per page (daemon default 50, max 500)" },
  { flags: "--cursor <cursor>", description: "continue from a previous page's nextCursor" },
];
