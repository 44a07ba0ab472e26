import { describe, expect, it } from "vitest";
import { checkRegex, REGEX_INPUT_LIMIT } from "./regex.js";

describe("checkRegex", () => {
  it("accepts the forms rules use", () => {
    for (const source of [
      "^arn:aws:iam::\\d{12}:role/",
      "(?:Create|Update)(Trail|LoginProfile)",
      "[a-z0-9-]+\\.example\\.com$",
      "^(?<service>[a-z]+)\\.amazonaws\\.com$",
      "a{3}b{2,2}",
      "x.*?y",
    ]) {
      expect(checkRegex(source, "")).toBeUndefined();
    }
  });

  it("refuses what can backtrack badly, with the reason", () => {
    expect(checkRegex("(a+)+b", "")).toMatch(/repeated group/);
    expect(checkRegex("(aa?)+b", "")).toMatch(/repeated group/);
    expect(checkRegex("(a|ab)*c", "")).toMatch(/repeated group/);
    expect(checkRegex("\\w+\\s*x", "")).toMatch(/at most 1 repetition/);
    expect(checkRegex("a{1,9}b+", "")).toMatch(/at most 1 repetition/);
    expect(checkRegex("a?b?c?d?e?", "")).toMatch(/optional/);
    expect(checkRegex("(?=a)b", "")).toMatch(/lookahead/);
    expect(checkRegex("(?<!a)b", "")).toMatch(/lookahead/);
    expect(checkRegex("(x)\\k<x>", "")).toMatch(/backreferences/);
    expect(checkRegex("a(", "")).toMatch(/not a valid regular expression/);
    expect(checkRegex("a".repeat(513), "")).toMatch(/at most 512/);
  });

  it("keeps an accepted expression fast on a long adversarial value", () => {
    const source = "^a+b";
    expect(checkRegex(source, "")).toBeUndefined();
    const started = performance.now();
    new RegExp(source).test("a".repeat(REGEX_INPUT_LIMIT));
    expect(performance.now() - started).toBeLessThan(500);
  });
});
