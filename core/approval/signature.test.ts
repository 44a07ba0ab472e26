import { describe, expect, it } from "vitest";
import { InvalidSlackSignature, signSlackRequest, verifySlackSignature } from "./signature.js";

// Slack's published worked example ("Verifying requests from Slack", docs.slack.dev).
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TIMESTAMP = "1531420618";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const AT_SIGNING = new Date(Number(TIMESTAMP) * 1000);

const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    signingSecret: SECRET,
    timestamp: TIMESTAMP,
    signature: SIGNATURE,
    body: BODY,
    now: AT_SIGNING,
    ...overrides,
  });

describe("Slack request signatures", () => {
  it("reproduces Slack's published example signature", () => {
    expect(signSlackRequest(SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it("accepts Slack's published example request", () => {
    expect(() => verify()).not.toThrow();
    expect(() => verify({ now: new Date(AT_SIGNING.getTime() + 299_000) })).not.toThrow();
  });

  it.each([
    ["a tampered body", { body: BODY.replace("user_id=U2CERLKJA", "user_id=U0ATTACKR") }, "does not match"],
    ["a tampered timestamp", { timestamp: "1531420619" }, "does not match"],
    ["a wrong secret", { signingSecret: "0000000000000000abcd99yyyzzz85a5" }, "does not match"],
    ["a flipped signature digit", { signature: `${SIGNATURE.slice(0, -1)}4` }, "does not match"],
    ["a missing signature", { signature: undefined }, "missing"],
    ["a v1 signature", { signature: SIGNATURE.replace("v0=", "v1=") }, "not a v0 signature"],
    ["a missing timestamp", { timestamp: undefined }, "missing"],
    ["a non-numeric timestamp", { timestamp: "1531420618.5" }, "not a number"],
    ["no configured secret", { signingSecret: "" }, "no Slack signing secret"],
  ])("refuses %s", (_name, overrides, message) => {
    expect(() => verify(overrides)).toThrow(InvalidSlackSignature);
    expect(() => verify(overrides)).toThrow(message);
  });

  it("refuses a stale request replayed more than five minutes later", () => {
    const later = new Date(AT_SIGNING.getTime() + 301_000);

    expect(() => verify({ now: later })).toThrow("301 s from now");
  });

  it("refuses a request dated more than five minutes in the future", () => {
    const earlier = new Date(AT_SIGNING.getTime() - 301_000);

    expect(() => verify({ now: earlier })).toThrow(InvalidSlackSignature);
  });

  it("has a stable error name for callers to map", () => {
    try {
      verify({ signature: undefined });
    } catch (error) {
      expect((error as Error).name).toBe("InvalidSlackSignature");
    }
    expect.assertions(1);
  });
});
