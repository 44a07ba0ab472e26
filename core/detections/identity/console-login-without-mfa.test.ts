import { describe, expect, it } from "vitest";
import { consoleLogin, identity } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { findingFromEvent } from "../stateless.js";
import { consoleLoginWithoutMfa } from "./console-login-without-mfa.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;

describe("console-login-without-mfa", () => {
  it("names the user, with the identity facts the response needs", () => {
    const finding = findingFromEvent("console-login-without-mfa", envelopeOf(consoleLogin(true)), config);

    expect(finding?.resource).toBe("arn:aws:iam::123456789012:user/alice");
    expect(finding?.summary).toBe(
      "IAM user arn:aws:iam::123456789012:user/alice signed in to the console without MFA from 81.2.69.142",
    );
    expect(finding?.facts).toMatchObject({
      eventName: "ConsoleLogin",
      principalType: "IAMUser",
      principalArn: "arn:aws:iam::123456789012:user/alice",
      userName: "alice",
      mfaUsed: false,
    });
  });

  it("checks the conditions in code too (a record replayed past the pattern)", () => {
    const evaluate = (record: Record<string, unknown>) => consoleLoginWithoutMfa.evaluate(envelopeOf(record), config);

    expect(evaluate(consoleLogin(true))).toBeDefined();
    expect(evaluate(consoleLogin(true, { mfa: true }))).toBeUndefined();
    expect(evaluate(consoleLogin(false))).toBeUndefined();
    expect(evaluate(consoleLogin(true, { user: identity.root() }))).toBeUndefined();
    expect(evaluate({ ...consoleLogin(true), additionalEventData: null })).toBeUndefined();
    expect(evaluate({ ...consoleLogin(true), userIdentity: "IAMUser" })).toBeUndefined();
  });
});
