/**
 * Text people read (a public page, a terminal, an audit trail) must read as
 * what it holds: no control, format (bidi overrides, zero-width) or line and
 * paragraph separator characters, and no unpaired surrogates.
 */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const UNSHOWABLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** Whether `text` shows as what it holds. */
export function isShowable(text: string): boolean {
  return text.isWellFormed() && !UNSHOWABLE.test(text);
}

/** `text` with every unshowable character replaced by `by`, unpaired surrogates mended. */
export function replaceUnshowable(text: string, by: string): string {
  return text.toWellFormed().replace(UNSHOWABLE_ALL, by);
}
