/**
 * Escaping for Slack text, where every CloudTrail field is attacker-controlled.
 *
 * Slack parses `&`, `<` and `>` as control characters (links `<url|x>`, mentions `<@U…>`,
 * `<!channel>`), so they become entities. It has no escape for the formatting characters
 * `*`, `_`, `~` and `` ` ``, and zero-width spaces around them *enable* formatting, so they are
 * replaced by look-alikes. Bare `@channel`/`@here`/`@everyone` get a full-width at sign, and a
 * line starting with `>` (a quote) gets a soft hyphen in front. Callers also send mrkdwn objects
 * with `verbatim: true`, so Slack never auto-links URLs or channel names in our text.
 */

const FORMATTING_LOOKALIKES: Record<string, string> = {
  "*": "\u2217", // ∗ asterisk operator
  _: "\u02cd", // ˍ modifier letter low macron
  "~": "\u223c", // ∼ tilde operator
  "`": "\u02cb", // ˋ modifier letter grave accent
};

const ELLIPSIS = "\u2026";
const SOFT_HYPHEN = "\u00ad";

// C0 and C1 controls except tab and newline, plus the Unicode line/paragraph separators and
// bidi overrides that can visually reorder text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SPECIAL_MENTION = /@(channel|here|everyone)\b/gi;

/** Remove control characters (tabs become spaces, `\r\n` becomes `\n`). */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\t/g, " ").replace(CONTROL, "");
}

function escapeEntities(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function neutraliseMentions(text: string): string {
  return text.replace(SPECIAL_MENTION, "\uff20$1");
}

/**
 * Cut already-escaped text to `max` characters, ending with an ellipsis, without splitting an
 * entity (`&amp;`) or a surrogate pair.
 */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - ELLIPSIS.length);
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && amp >= cut - 4) {
    const end = text.indexOf(";", amp);
    if (end < 0 || end >= cut) cut = amp;
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}${ELLIPSIS}`;
}

/** Attacker-controlled text as inert mrkdwn (newlines kept), at most `max` characters. */
export function escapeMrkdwn(text: string, max = Number.POSITIVE_INFINITY): string {
  let out = escapeEntities(stripControl(text));
  out = out.replace(/[*_~`]/g, (char) => FORMATTING_LOOKALIKES[char] ?? char);
  out = neutraliseMentions(out);
  out = out.replace(/^(&gt;)/gm, `${SOFT_HYPHEN}$1`);
  return truncateEscaped(out, max);
}

/** One line of attacker-controlled text as inert mrkdwn: newlines become spaces. */
export function escapeMrkdwnLine(text: string, max = Number.POSITIVE_INFINITY): string {
  return escapeMrkdwn(text.replace(/[\r\n]+/g, " "), max);
}

/**
 * An identifier (ARN, address, user agent) as inline code, one line. Formatting characters get
 * their look-alikes here too: Slack documents no guarantee that a code span suppresses them.
 */
export function mrkdwnCode(text: string, max = Number.POSITIVE_INFINITY): string {
  const flat = stripControl(text).replace(/\n+/g, " ");
  const inner = neutraliseMentions(
    escapeEntities(flat).replace(/[*_~`]/g, (char) => FORMATTING_LOOKALIKES[char] ?? char),
  );
  if (inner.length === 0) return "`-`";
  return `\`${truncateEscaped(inner, Math.max(1, max - 2))}\``;
}

/**
 * Text for a `plain_text` object (headers, buttons): no markup is parsed there, but the control
 * characters become look-alikes anyway so the text is inert however a client treats it.
 */
export function plainText(text: string, max = Number.POSITIVE_INFINITY): string {
  const out = neutraliseMentions(
    stripControl(text)
      .replace(/[\r\n]+/g, " ")
      .replace(/</g, "\u2039")
      .replace(/>/g, "\u203a"),
  );
  if (out.length <= max) return out;
  let cut = Math.max(0, max - ELLIPSIS.length);
  const code = out.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${out.slice(0, cut)}${ELLIPSIS}`;
}
