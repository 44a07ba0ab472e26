import { describe, expect, it } from "vitest";
import { deniedUntil, revokedBefore, revokeSessionsDocument, temporaryDenyDocument } from "./iam-policy.js";

describe("IAM deny documents", () => {
  it("round-trips the expiry and the revocation time, URL-encoded or not", () => {
    const until = new Date("2026-03-02T10:35:00.123Z");

    expect(deniedUntil(temporaryDenyDocument(until))).toBe("2026-03-02T10:35:00Z");
    expect(deniedUntil(encodeURIComponent(temporaryDenyDocument(until)))).toBe("2026-03-02T10:35:00Z");
    expect(revokedBefore(revokeSessionsDocument(until))).toBe("2026-03-02T10:35:00Z");
    expect(deniedUntil(revokeSessionsDocument(until))).toBeUndefined();
    expect(
      deniedUntil(JSON.stringify({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] })),
    ).toBeUndefined();
  });
});
