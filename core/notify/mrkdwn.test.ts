import { describe, expect, it } from "vitest";
import { escapeMrkdwn, escapeMrkdwnLine, mrkdwnCode, plainText, truncateEscaped } from "./mrkdwn.js";

/** Slack control sequences: anything between `<` and `>`; none may survive in escaped text. */
const CONTROL_SEQUENCE = /<[^>]*>/;

const PAYLOADS = [
  "<!channel> urgent",
  "<!here|here>",
  "<@U024BE7LH> please approve",
  "<https://evil.example/phish|Open the AWS console>",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "*bold* _italic_ ~strike~ `code` ```block```",
  "> quoted\n>>> quoted rest",
  "@channel @here @everyone",
  "Mozilla/5.0 &lt;!channel&gt;",
  "line\u202eevil\u0007bell\u0000nul",
];

describe("escapeMrkdwn", () => {
  it.each(PAYLOADS)("renders %j inert", (payload) => {
    const out = escapeMrkdwn(payload);

    expect(out).not.toMatch(CONTROL_SEQUENCE);
    expect(out).not.toMatch(/[*_~`]/);
    expect(out).not.toMatch(/@(channel|here|everyone)/i);
    expect(out).not.toMatch(/^&gt;/m);
    expect([...out].some((char) => char.charCodeAt(0) < 0x09 || char === "\u202e")).toBe(false);
  });

  it("keeps ordinary text readable", () => {
    expect(escapeMrkdwn("sg-0123 opened 0.0.0.0/0 on port 22")).toBe("sg-0123 opened 0.0.0.0/0 on port 22");
    expect(escapeMrkdwn("a & b < c")).toBe("a &amp; b &lt; c");
  });

  it("escapes an entity-looking input so it displays literally", () => {
    expect(escapeMrkdwn("&lt;!channel&gt;")).toBe("&amp;lt;!channel&amp;gt;");
  });

  it("truncates to the limit without cutting an entity", () => {
    const out = escapeMrkdwn(`${"a".repeat(8)}<<<<`, 12);

    expect(out.length).toBeLessThanOrEqual(12);
    expect(out.endsWith("\u2026")).toBe(true);
    expect(out).not.toMatch(/&[a-z]*\u2026/);
  });

  it("puts a multi-line value on one line when asked", () => {
    expect(escapeMrkdwnLine("a\nb\r\nc")).toBe("a b c");
  });
});

describe("mrkdwnCode", () => {
  it("shows identifiers in a code span, formatting characters as look-alikes", () => {
    expect(mrkdwnCode("arn:aws:iam::123456789012:user/ops_admin")).toBe(
      "`arn:aws:iam::123456789012:user/ops\u02cdadmin`",
    );
    expect(mrkdwnCode("*x* ~y~")).toBe("`\u2217x\u2217 \u223cy\u223c`");
  });

  it("cannot be broken out of with a backtick or a control sequence", () => {
    const out = mrkdwnCode("x` <!channel> `y");

    expect(out).toBe("`x\u02cb &lt;!channel&gt; \u02cby`");
    expect(out.slice(1, -1)).not.toContain("`");
  });

  it("fits the limit including the backticks", () => {
    const out = mrkdwnCode("z".repeat(500), 40);

    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.startsWith("`") && out.endsWith("`")).toBe(true);
  });
});

describe("plainText", () => {
  it("replaces angle brackets and mentions and keeps to one line", () => {
    expect(plainText("<!here> new\nline @channel")).toBe("\u2039!here\u203a new line \uff20channel");
  });

  it("truncates without splitting a surrogate pair", () => {
    const out = plainText(`${"x".repeat(8)}😀😀`, 10);

    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).not.toMatch(/[\ud800-\udbff]\u2026/);
  });
});

describe("truncateEscaped", () => {
  it("leaves short text alone", () => {
    expect(truncateEscaped("short", 10)).toBe("short");
  });

  it("drops a partial entity at the cut", () => {
    expect(truncateEscaped("abcd&amp;efgh", 7)).toBe("abcd\u2026");
  });
});
