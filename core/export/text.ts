/**
 * Text for export formats with length limits (ASFF: Title 256, Description 1024…). Every value
 * may come from a log record, so it is kept as data: lone surrogates (which a JSON record can
 * carry as `\ud800` escapes) become U+FFFD, and cutting never splits a surrogate pair. Limits
 * count UTF-16 code units, which is never less than the number of characters a service counts.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ELLIPSIS = "…";

/** The text with every unpaired surrogate replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/** Whether the text has no unpaired surrogate. */
export function isWellFormed(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(text);
}

/**
 * Well-formed text of at most `max` UTF-16 code units: cut at a character boundary and ended
 * with "…" when it was longer.
 */
export function fitText(text: string, max: number): string {
  const safe = wellFormed(text);
  if (safe.length <= max) return safe;
  let end = max - ELLIPSIS.length;
  // Never end on the first half of a pair.
  const last = safe.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${safe.slice(0, Math.max(0, end))}${ELLIPSIS}`;
}

/** Whether the text has a character other than white space (AWS's `.*\S.*`). */
export function hasText(text: string): boolean {
  return /\S/.test(text);
}
