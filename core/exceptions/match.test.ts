import { describe, expect, it } from "vitest";
import type { ExceptionRecord, ExceptionScope } from "../model/exception.js";
import { coveringException, scopeMatches } from "./match.js";

const finding = {
  detection: "sg-ssh-open-world",
  time: "2026-03-01T12:00:00Z",
  principal: "arn:aws:iam::123456789012:user/alice",
  resource: "sg-0abc",
  sourceIp: "203.0.113.7",
  facts: { userName: "alice", groupId: "sg-0abc", tags: { env: "sandbox" } },
} as const;

function exception(id: string, scope: ExceptionScope, overrides: Partial<ExceptionRecord> = {}): ExceptionRecord {
  return {
    id,
    detection: "sg-ssh-open-world",
    scope,
    owner: "platform",
    reason: "bastion rebuild",
    createdAt: "2026-03-01T00:00:00Z",
    expiresAt: "2026-03-02T00:00:00Z",
    createdBy: "slack:U0APPROVER",
    source: "slack",
    ...overrides,
  };
}

describe("scopeMatches", () => {
  it.each<[string, ExceptionScope, boolean]>([
    ["the principal's ARN", { kind: "principal", value: "arn:aws:iam::123456789012:user/alice" }, true],
    ["the principal's user name", { kind: "principal", value: "alice" }, true],
    ["another principal", { kind: "principal", value: "arn:aws:iam::123456789012:user/bob" }, false],
    [
      "an ARN ending in the name of another account",
      { kind: "principal", value: "arn:aws:iam::999999999999:user/alice" },
      false,
    ],
    ["the resource id", { kind: "resource", value: "sg-0abc" }, true],
    [
      "the resource's ARN",
      { kind: "resource", value: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc" },
      true,
    ],
    ["another resource", { kind: "resource", value: "sg-0abcd" }, false],
    ["a range holding the source", { kind: "cidr", value: "203.0.113.0/24" }, true],
    ["a range without it", { kind: "cidr", value: "198.51.100.0/24" }, false],
    ["a tag the finding carries", { kind: "tag", key: "env", value: "sandbox" }, true],
    ["the tag with another value", { kind: "tag", key: "env", value: "prod" }, false],
    ["an inherited property as tag key", { kind: "tag", key: "constructor", value: "" }, false],
  ])("%s: %s", (_label, scope, expected) => {
    expect(scopeMatches(scope, finding)).toBe(expected);
  });

  it("never matches an empty principal or resource", () => {
    const blank = { ...finding, principal: "", resource: "", facts: {} };
    expect(scopeMatches({ kind: "resource", value: "arn:aws:s3:::" }, blank)).toBe(false);
    expect(scopeMatches({ kind: "principal", value: "x" }, blank)).toBe(false);
  });
});

describe("coveringException", () => {
  it("needs the same detection, a matching scope and an expiry after the finding", () => {
    const scope: ExceptionScope = { kind: "principal", value: "alice" };
    const other = exception("other-detection", scope, { detection: "sg-created-open" });
    const expired = exception("expired", scope, { expiresAt: "2026-03-01T12:00:00Z" });
    const elsewhere = exception("elsewhere", { kind: "resource", value: "sg-9" });
    const holding = exception("holding", scope);
    const longer = exception("longer", scope, { expiresAt: "2026-03-05T00:00:00Z" });

    expect(coveringException(finding, [other, expired, elsewhere])).toBeUndefined();
    expect(coveringException(finding, [other, expired, elsewhere, holding])?.id).toBe("holding");
    expect(coveringException(finding, [holding, longer])?.id).toBe("longer");
  });
});
