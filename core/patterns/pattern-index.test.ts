import { describe, expect, it } from "vitest";
import { compilePattern } from "./compile.js";
import { matches } from "./match.js";
import { PatternIndex } from "./pattern-index.js";

const ct = (source: string, eventName: string, extra: Record<string, unknown> = {}) => ({
  source,
  "detail-type": "AWS API Call via CloudTrail",
  detail: { eventName, ...extra },
});

describe("PatternIndex", () => {
  it("returns the keys of exactly the matching patterns, in registration order", () => {
    const index = new PatternIndex<string>();
    index.add("any-ec2", compilePattern({ source: ["aws.ec2"] }));
    index.add(
      "authorize",
      compilePattern({ source: ["aws.ec2"], detail: { eventName: ["AuthorizeSecurityGroupIngress"] } }),
    );
    index.add("s3", compilePattern({ source: ["aws.s3"], detail: { eventName: ["PutBucketPolicy"] } }));
    index.add(
      "prefix-source",
      compilePattern({ source: [{ prefix: "aws." }], detail: { eventName: ["PutBucketPolicy"] } }),
    );
    index.add("by-type", compilePattern({ "detail-type": ["AWS API Call via CloudTrail"] }));

    expect(index.match(ct("aws.ec2", "AuthorizeSecurityGroupIngress"))).toEqual(["any-ec2", "authorize", "by-type"]);
    expect(index.match(ct("aws.s3", "PutBucketPolicy"))).toEqual(["s3", "prefix-source", "by-type"]);
    expect(index.match(ct("aws.iam", "CreateUser"))).toEqual(["by-type"]);
    expect(index.match({ source: "custom" })).toEqual([]);
    expect(index.size).toBe(5);
  });

  it("tests a pattern that pins eventName but not source only on events of that name", () => {
    const index = new PatternIndex<string>();
    const prefixed = { source: [{ prefix: "aws." }], detail: { eventName: ["ConsoleLogin", "PutBucketPolicy"] } };
    index.add("any-service", compilePattern(prefixed));
    index.add("s3", compilePattern({ source: ["aws.s3"], detail: { eventName: ["PutBucketPolicy"] } }));

    expect(index.candidateCount(ct("aws.iam", "CreateUser"))).toBe(0);
    expect(index.candidateCount(ct("aws.kms", "Decrypt"))).toBe(0);
    expect(index.match(ct("aws.signin", "ConsoleLogin"))).toEqual(["any-service"]);
    expect(index.match(ct("aws.s3", "PutBucketPolicy"))).toEqual(["any-service", "s3"]);
    expect(index.match(ct("custom.app", "ConsoleLogin"))).toEqual([]);
    // Names may hide in any element of an array-valued detail: every such pattern is a candidate.
    expect(index.match({ source: "aws.iam", detail: [{ eventName: "ConsoleLogin" }] })).toEqual(["any-service"]);
    expect(index.match({ source: "aws.iam", detail: { eventName: ["x", "ConsoleLogin"] } })).toEqual(["any-service"]);
  });

  it("finds a pattern pinned to an IP address spelled differently in the event", () => {
    const index = new PatternIndex<string>();
    const pattern = compilePattern({ source: ["2001:DB8::1"], detail: { eventName: ["10.0.0.1"] } });
    index.add("by-address", pattern);
    const event = { source: "2001:db8:0::1", detail: { eventName: "::ffff:a00:1" } };

    expect(matches(pattern, event)).toBe(true);
    expect(index.match(event)).toEqual(["by-address"]);
  });

  it("tests what several patterns have in common beyond their bucket once per event", () => {
    const index = new PatternIndex<string>();
    const rule = (names: string[]) => ({
      source: ["aws.iam"],
      detail: { eventSource: ["iam.amazonaws.com"], eventName: names },
    });
    index.add("a", compilePattern(rule(["ListUsers"])));
    index.add("b", compilePattern(rule(["ListUsers", "CreateUser"])));
    index.add("c", compilePattern(rule(["CreateUser"])));
    index.add("d", compilePattern({ ...rule(["ListUsers"]), "detail-type": ["AWS API Call via CloudTrail"] }));
    index.add("e", compilePattern({ source: ["aws.iam"], detail: { eventName: ["ListUsers"] } }));
    const listUsers = ct("aws.iam", "ListUsers", { eventSource: "iam.amazonaws.com" });

    expect(index.candidateCount(listUsers)).toBe(4);
    // a and b leave the same eventSource test; d adds detail-type; e leaves nothing to test.
    expect(index.testedCount(listUsers)).toBe(2);
    expect(index.match(listUsers)).toEqual(["a", "b", "d", "e"]);
    expect(index.match(ct("aws.iam", "ListUsers", { eventSource: "other" }))).toEqual(["e"]);
    expect(index.match(ct("aws.iam", "CreateUser", { eventSource: "iam.amazonaws.com" }))).toEqual(["b", "c"]);
    // Not CloudTrail-shaped (an array source, no detail-type): each candidate's whole pattern is tested.
    const arraySource = { source: ["aws.iam"], detail: { eventName: "ListUsers", eventSource: "iam.amazonaws.com" } };
    expect(index.match(arraySource)).toEqual(["a", "b", "e"]);
  });

  it("indexes by the event names of a $or whose every branch pins one", () => {
    const index = new PatternIndex<string>();
    index.add(
      "detail-or",
      compilePattern({
        source: ["aws.s3"],
        detail: { $or: [{ eventName: ["ListBuckets"] }, { eventName: ["GetObject"] }] },
      }),
    );
    index.add(
      "root-or",
      compilePattern({
        source: [{ prefix: "aws." }],
        $or: [{ detail: { eventName: ["ConsoleLogin"] } }, { detail: { eventName: ["GetObject"], errorCode: ["x"] } }],
      }),
    );
    index.add(
      "open-branch",
      compilePattern({
        source: ["aws.s3"],
        $or: [{ detail: { eventName: ["GetObject"] } }, { region: ["eu-west-1"] }],
      }),
    );

    expect(index.candidateCount(ct("aws.s3", "PutBucketPolicy"))).toBe(1);
    expect(index.match(ct("aws.s3", "PutBucketPolicy"))).toEqual([]);
    expect(index.match(ct("aws.s3", "ListBuckets"))).toEqual(["detail-or"]);
    expect(index.match(ct("aws.s3", "GetObject"))).toEqual(["detail-or", "open-branch"]);
    expect(index.match(ct("aws.s3", "GetObject", { errorCode: "x" }))).toEqual(["detail-or", "root-or", "open-branch"]);
    expect(index.match(ct("aws.signin", "ConsoleLogin"))).toEqual(["root-or"]);
    expect(index.match({ ...ct("aws.s3", "Other"), region: "eu-west-1" })).toEqual(["open-branch"]);
  });

  it("keeps every condition of an indexed pattern, not just source and eventName", () => {
    const index = new PatternIndex<string>();
    index.add(
      "failed",
      compilePattern({ source: ["aws.s3"], detail: { eventName: ["PutBucketAcl"], errorCode: [{ exists: true }] } }),
    );

    expect(index.match(ct("aws.s3", "PutBucketAcl"))).toEqual([]);
    expect(index.match(ct("aws.s3", "PutBucketAcl", { errorCode: "AccessDenied" }))).toEqual(["failed"]);
  });

  it("agrees with matching every pattern one by one, including array-valued fields", () => {
    const patterns = [
      { source: ["aws.ec2", "aws.s3"], detail: { eventName: ["A", "B"] } },
      { source: ["aws.ec2"], detail: { eventName: [{ prefix: "A" }] } },
      { source: ["aws.ec2"], $or: [{ detail: { eventName: ["A"] } }, { detail: { eventName: ["C"] } }] },
      { detail: { eventName: ["B"] } },
      { source: ["aws.ec2"], detail: { eventName: ["A", { exists: false }] } },
    ].map((pattern) => compilePattern(pattern));
    const index = new PatternIndex<number>();
    for (const [key, pattern] of patterns.entries()) index.add(key, pattern);
    const events = [
      ct("aws.ec2", "A"),
      ct("aws.s3", "B"),
      ct("aws.ec2", "C"),
      { source: "aws.ec2", detail: {} },
      { source: ["aws.s3", "aws.ec2"], detail: { eventName: ["C", "B"] } },
      { source: "aws.ec2", detail: [{ eventName: "A" }] },
      "not an object",
    ];

    for (const event of events) {
      const expected = patterns.flatMap((pattern, key) => (matches(pattern, event) ? [key] : []));
      expect(index.match(event)).toEqual(expected);
    }
  });
});
