import { describe, expect, it } from "vitest";
import { actionMatches } from "./identity-policy.js";

describe("actionMatches", () => {
  it.each([
    ["sts:AssumeRole", "sts:AssumeRole", true],
    ["STS:assumerole", "sts:AssumeRole", true],
    ["sts:AssumeRole*", "sts:AssumeRoleWithSAML", true],
    ["sts:Assume*", "sts:AssumeRole", true],
    ["sts:*", "sts:AssumeRoleWithWebIdentity", true],
    ["*", "sts:AssumeRole", true],
    ["sts:AssumeRol?", "sts:AssumeRole", true],
    ["sts:AssumeRole", "sts:AssumeRoleWithSAML", false],
    ["sts:TagSession", "sts:AssumeRole", false],
    ["iam:*", "sts:AssumeRole", false],
    ["", "sts:AssumeRole", false],
  ])("%s against %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it("answers a long run of wildcards in linear time (attacker text must not backtrack)", () => {
    const pattern = `${"*a".repeat(5_000)}b`;
    const started = performance.now();

    const result = actionMatches(pattern, "a".repeat(5_000));

    expect(result).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
