import { describe, expect, it } from "vitest";
import { compilePattern } from "./compile.js";
import { matches } from "./match.js";

// Examples follow the EventBridge user guide and the aws/event-ruler README, operator by operator.
const sample = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

function test(pattern: unknown, event: unknown = sample): boolean {
  return matches(compilePattern(pattern), event);
}

describe("exact values and arrays", () => {
  it("matches when every named field has one of the listed values", () => {
    const pattern = {
      "detail-type": ["EC2 Instance State-change Notification"],
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
      detail: { state: ["initializing", "running"] },
    };

    expect(test(pattern)).toBe(true);
    expect(test({ ...pattern, detail: { state: ["stopped"] } })).toBe(false);
  });

  it("matches an event array when the intersection with the pattern array is non-empty", () => {
    const event = {
      resources: ["arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x", "arn:aws:ec2:us-east-1:1:instance/i-b"],
    };

    expect(test({ resources: ["arn:aws:ec2:us-east-1:1:instance/i-b", "other"] }, event)).toBe(true);
    expect(test({ resources: ["other"] }, event)).toBe(false);
  });

  it("requires every field of the pattern to be present, with the same nesting", () => {
    expect(test({ detail: { missing: ["x"] } })).toBe(false);
    expect(test({ state: ["running"] })).toBe(false);
  });

  it("is case-sensitive and distinguishes null, empty strings, booleans and numbers", () => {
    const event = { detail: { eventVersion: "", responseElements: null, flag: false, count: 300, text: "300" } };

    expect(test({ detail: { eventVersion: [""] } }, event)).toBe(true);
    expect(test({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(test({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(test({ detail: { responseElements: [""] } }, event)).toBe(false);
    expect(test({ detail: { flag: [false] } }, event)).toBe(true);
    expect(test({ detail: { flag: ["false"] } }, event)).toBe(false);
    expect(test({ detail: { count: [300] } }, event)).toBe(true);
    expect(test({ detail: { count: ["300"] } }, event)).toBe(false);
    expect(test({ detail: { text: [300] } }, event)).toBe(false);
    expect(test({ source: ["AWS.EC2"] })).toBe(false);
  });

  it("matches nested objects such as risk scores in a Macie alert", () => {
    const event = { source: "aws.macie", detail: { "risk-score": 80, trigger: { risk: 8 } } };

    expect(test({ source: ["aws.macie"], detail: { "risk-score": [80], trigger: { risk: [8] } } }, event)).toBe(true);
    expect(test({ detail: { trigger: { risk: [9] } } }, event)).toBe(false);
  });

  it("crushes arrays of objects but keeps matches within one array element", () => {
    const event = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };

    expect(test({ employees: { firstName: ["Anna"] } }, event)).toBe(true);
    expect(test({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true);
    expect(test({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event)).toBe(false);
  });

  it("flattens multi-level arrays", () => {
    const event = { employees: [[{ firstName: "John" }, { firstName: "Anna" }], [{ firstName: "Peter" }]] };

    expect(test({ employees: { firstName: ["Peter"] } }, event)).toBe(true);
    expect(test({ employees: { firstName: ["Mary"] } }, event)).toBe(false);
  });

  it("matches an IP literal against other spellings of the same address", () => {
    const ip = (value: string) => ({ detail: { ip: value } });

    expect(test({ detail: { ip: ["2001:DB8::1"] } }, ip("2001:db8:0:0::1"))).toBe(true);
    expect(test({ detail: { ip: ["2001:db8::1"] } }, ip("2001:db8::2"))).toBe(false);
    expect(test({ detail: { ip: ["10.0.0.1"] } }, ip("::ffff:a00:1"))).toBe(true);
  });

  it("reads addresses as strictly as EventBridge: no whitespace, zone ids or dotted IPv6 tails", () => {
    const ip = (value: string) => ({ detail: { ip: value } });

    expect(test({ detail: { ip: ["10.0.0.1"] } }, ip(" 10.0.0.1"))).toBe(false);
    expect(test({ detail: { ip: ["10.0.0.1"] } }, ip("10.0.0.1\n"))).toBe(false);
    expect(test({ detail: { ip: ["10.0.0.1"] } }, ip("::ffff:10.0.0.1"))).toBe(false);
    expect(test({ detail: { ip: ["fe80::1"] } }, ip("fe80::1%eth0"))).toBe(false);
    expect(test({ detail: { ip: ["fe80::1%eth0"] } }, ip("fe80::1"))).toBe(false);
    expect(test({ detail: { ip: ["fe80::1%eth0"] } }, ip("fe80::1%eth0"))).toBe(true);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.0/8" }] } }, ip(" 10.0.0.1"))).toBe(false);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.0/8" }] } }, ip("::ffff:10.0.0.1"))).toBe(false);
    expect(test({ detail: { ip: [{ cidr: "fe80::/16" }] } }, ip("fe80::1%eth0"))).toBe(false);
  });

  it("compares addresses inside anything-but as text, as EventBridge does", () => {
    const event = { detail: { ip: "2001:db8::1" } };

    expect(test({ detail: { ip: [{ "anything-but": "2001:DB8::1" }] } }, event)).toBe(true);
    expect(test({ detail: { ip: [{ "anything-but": ["2001:DB8::1", "x"] }] } }, event)).toBe(true);
    expect(test({ detail: { ip: [{ "anything-but": "2001:db8::1" }] } }, event)).toBe(false);
  });

  it("ignores inherited properties: a field named constructor must really be there", () => {
    expect(test({ detail: { constructor: [{ exists: true }] } })).toBe(false);
    expect(test({ detail: { constructor: [{ exists: false }] } })).toBe(true);
  });
});

describe("prefix and suffix", () => {
  it("prefix matches the start of a string value only", () => {
    expect(test({ time: [{ prefix: "2017-10-02" }] })).toBe(true);
    expect(test({ time: [{ prefix: "2017-10-03" }] })).toBe(false);
    expect(test({ detail: { "c-count": [{ prefix: "5" }] } })).toBe(false);
  });

  it("prefix with equals-ignore-case ignores case", () => {
    const event = { detail: { service: "EventBridge" } };

    expect(test({ detail: { service: [{ prefix: { "equals-ignore-case": "eventb" } }] } }, event)).toBe(true);
    expect(test({ detail: { service: [{ prefix: "eventb" }] } }, event)).toBe(false);
  });

  it("suffix matches the end, optionally ignoring case", () => {
    const event = { detail: { FileName: "image.PNG" } };

    expect(test({ detail: { FileName: [{ suffix: ".PNG" }] } }, event)).toBe(true);
    expect(test({ detail: { FileName: [{ suffix: ".png" }] } }, event)).toBe(false);
    expect(test({ detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }, event)).toBe(true);
  });
});

describe("equals-ignore-case", () => {
  it("matches strings regardless of case", () => {
    expect(test({ source: [{ "equals-ignore-case": "AWS.EC2" }] })).toBe(true);
    expect(test({ source: [{ "equals-ignore-case": "aws.s3" }] })).toBe(false);
  });
});

describe("wildcard", () => {
  it("matches any run of characters at each star", () => {
    const event = { source: "Simple Notification Service", detail: { path: "dir/lib/file.txt" } };

    expect(test({ source: [{ wildcard: "Simple*Service" }] }, event)).toBe(true);
    expect(test({ detail: { path: [{ wildcard: "*/lib/*" }] } }, event)).toBe(true);
    expect(test({ detail: { path: [{ wildcard: "*/bin/*" }] } }, event)).toBe(false);
    expect(test({ detail: { path: [{ wildcard: "dir/lib/file.txt" }] } }, event)).toBe(true);
  });

  it("treats an escaped star as a literal star and regex characters as text", () => {
    const event = { detail: { name: "a*b", other: "a.b" } };

    expect(test({ detail: { name: [{ wildcard: "a\\*b" }] } }, event)).toBe(true);
    expect(test({ detail: { name: [{ wildcard: "a\\*c" }] } }, event)).toBe(false);
    expect(test({ detail: { other: [{ wildcard: "a.*" }] } }, event)).toBe(true);
    expect(test({ detail: { other: [{ wildcard: "x.*" }] } }, { detail: { other: "xyz" } })).toBe(false);
  });

  it("takes - and other regular-expression characters literally (us-*, riposte-*)", () => {
    expect(test({ region: [{ wildcard: "us-*" }] })).toBe(true);
    expect(test({ region: [{ wildcard: "eu-*" }] })).toBe(false);
    expect(test({ detail: { role: [{ wildcard: "riposte-*" }] } }, { detail: { role: "riposte-remediator" } })).toBe(
      true,
    );
    expect(test({ region: [{ "anything-but": { wildcard: "us-*" } }] })).toBe(false);
    expect(test({ region: [{ "anything-but": { wildcard: ["eu-*", "ap-*"] } }] })).toBe(true);
    expect(
      test({ detail: { x: [{ wildcard: "(a|b)[c]{1}^$+?.-/*" }] } }, { detail: { x: "(a|b)[c]{1}^$+?.-/z" } }),
    ).toBe(true);
  });

  it("lets a star span line breaks", () => {
    expect(test({ detail: { text: [{ wildcard: "a*b" }] } }, { detail: { text: "a\nb" } })).toBe(true);
  });
});

describe("anything-but", () => {
  it("matches any value except a string, a number, or a list of either", () => {
    expect(test({ detail: { state: [{ "anything-but": "initializing" }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": "running" }] } })).toBe(false);
    expect(test({ detail: { "x-limit": [{ "anything-but": 123 }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": ["stopped", "running"] }] } })).toBe(false);
    expect(test({ detail: { "c-count": [{ "anything-but": [100, 200, 5] }] } })).toBe(false);
  });

  it("never matches a missing field", () => {
    expect(test({ detail: { nothing: [{ "anything-but": "x" }] } })).toBe(false);
  });

  it("excludes a prefix, a suffix, a wildcard or a case-insensitive value", () => {
    expect(test({ detail: { state: [{ "anything-but": { prefix: "init" } }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": { prefix: "run" } }] } })).toBe(false);
    expect(test({ detail: { state: [{ "anything-but": { suffix: "ing" } }] } })).toBe(false);
    expect(test({ detail: { state: [{ "anything-but": { suffix: ".png" } }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": { wildcard: "r*g" } }] } })).toBe(false);
    expect(test({ detail: { state: [{ "anything-but": { wildcard: ["x*", "y*"] } }] } })).toBe(true);
    expect(test({ detail: { state: [{ "anything-but": { "equals-ignore-case": "RUNNING" } }] } })).toBe(false);
    expect(test({ detail: { state: [{ "anything-but": { "equals-ignore-case": ["STOPPED", "x"] } }] } })).toBe(true);
  });

  it("matches an event array when some element is not excluded", () => {
    const event = { detail: { states: ["running", "stopped"] } };

    expect(test({ detail: { states: [{ "anything-but": "running" }] } }, event)).toBe(true);
    expect(test({ detail: { states: [{ "anything-but": ["running", "stopped"] }] } }, event)).toBe(false);
  });
});

describe("numeric", () => {
  it("matches ranges, bounds and equality on JSON numbers only", () => {
    expect(
      test({
        detail: {
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ numeric: ["=", 3.018e2] }],
        },
      }),
    ).toBe(true);
    expect(test({ detail: { "c-count": [{ numeric: [">", 5] }] } })).toBe(false);
    expect(test({ detail: { "c-count": [{ numeric: [">=", 5] }] } })).toBe(true);
    expect(test({ detail: { "d-count": [{ numeric: ["<", 3] }] } })).toBe(false);
    expect(test({ detail: { "d-count": [{ numeric: ["<=", 3] }] } })).toBe(true);
    expect(test({ detail: { state: [{ numeric: [">", 0] }] } })).toBe(false);
  });

  it("does not match numbers outside ±5e9", () => {
    expect(test({ detail: { n: [{ numeric: [">", 0] }] } }, { detail: { n: 6e9 } })).toBe(false);
  });
});

describe("exact numbers", () => {
  it("compares integers up to 2^53 - 1 exactly, and keeps numbers apart from strings", () => {
    const event = { detail: { id: 9007199254740991, name: "9007199254740991" } };

    expect(test({ detail: { id: [9007199254740991] } }, event)).toBe(true);
    expect(test({ detail: { id: [9007199254740990] } }, event)).toBe(false);
    expect(test({ detail: { name: [9007199254740991] } }, event)).toBe(false);
    expect(test({ detail: { name: ["9007199254740991"] } }, event)).toBe(true);
  });
});

describe("cidr", () => {
  it("matches IPv4 and IPv6 addresses inside the range", () => {
    expect(test({ detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } })).toBe(true);
    expect(test({ detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } })).toBe(false);
    expect(test({ detail: { ip: [{ cidr: "2001:db8::/32" }] } }, { detail: { ip: "2001:db8::1" } })).toBe(true);
    expect(test({ detail: { ip: [{ cidr: "2001:db8::/32" }] } }, { detail: { ip: "2001:db9::1" } })).toBe(false);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.0/8" }] } }, { detail: { ip: "not an ip" } })).toBe(false);
  });

  it("starts the range at the address as written, as EventBridge does (host bits are not cleared)", () => {
    const ip = (value: string) => ({ detail: { ip: value } });

    expect(test({ detail: { ip: [{ cidr: "10.0.0.5/24" }] } }, ip("10.0.0.4"))).toBe(false);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.5/24" }] } }, ip("10.0.0.5"))).toBe(true);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.5/24" }] } }, ip("10.0.0.255"))).toBe(true);
    expect(test({ detail: { ip: [{ cidr: "10.0.0.5/24" }] } }, ip("10.0.1.0"))).toBe(false);
  });
});

describe("exists", () => {
  it("exists true matches present leaf values, including null", () => {
    expect(test({ detail: { "c-count": [{ exists: true }] } })).toBe(true);
    expect(test({ detail: { missing: [{ exists: true }] } })).toBe(false);
    expect(test({ detail: { n: [{ exists: true }] } }, { detail: { n: null } })).toBe(true);
  });

  it("exists false matches absent fields and intermediate (non-leaf) nodes", () => {
    expect(test({ detail: { "c-count": [{ exists: false }] } }, { detail: { state: ["initializing"] } })).toBe(true);
    expect(test({ detail: { "c-count": [{ exists: false }] } }, { detail: { "c-count": { c1: 100 } } })).toBe(true);
    expect(test({ detail: { "c-count": [{ exists: false }] } })).toBe(false);
  });

  it("exists false holds when a parent of the field is missing or an empty array", () => {
    const pattern = {
      detail: { userIdentity: { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } } },
    };

    expect(test(pattern, { detail: { userIdentity: { type: "Root" } } })).toBe(true);
    expect(test(pattern, { detail: {} })).toBe(true);
    expect(test({ detail: { items: { name: [{ exists: false }] } } }, { detail: { items: [] } })).toBe(true);
    expect(test(pattern, { detail: { userIdentity: { sessionContext: { sessionIssuer: { userName: "x" } } } } })).toBe(
      false,
    );
  });

  it("exists false looks across every element of an array", () => {
    const event = { detail: { items: [{ name: "a" }, { other: 1 }] } };

    expect(test({ detail: { items: { name: [{ exists: false }] } } }, event)).toBe(false);
  });

  it("combines with other values in the same list as an or", () => {
    const pattern = { detail: { state: [{ exists: false }, "stopped"] } };

    expect(test(pattern, { detail: {} })).toBe(true);
    expect(test(pattern, { detail: { state: "stopped" } })).toBe(true);
    expect(test(pattern, { detail: { state: "running" } })).toBe(false);
  });
});

describe("$or", () => {
  const metric = (fields: Record<string, unknown>) => ({ source: "aws.cloudwatch", ...fields });

  it("matches when any alternative matches, together with the other fields", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
    };

    expect(test(pattern, metric({ metricName: "ReadLatency" }))).toBe(true);
    expect(test(pattern, metric({ namespace: "AWS/ES" }))).toBe(true);
    expect(test(pattern, metric({ metricName: "Other", namespace: "Other" }))).toBe(false);
    expect(test(pattern, { source: "aws.ec2", metricName: "ReadLatency" })).toBe(false);
  });

  it("supports an and inside an or, and nested ors", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization"] },
        { metricType: ["MetricType"], namespace: ["AWS/EC2"], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ["Service"] },
      ],
    };

    expect(test(pattern, metric({ metricType: "MetricType", namespace: "AWS/EC2", spaceId: 1000 }))).toBe(true);
    expect(test(pattern, metric({ metricType: "MetricType", namespace: "AWS/EC2", spaceId: 9 }))).toBe(false);
    expect(test(pattern, metric({ scope: "Service" }))).toBe(true);
  });

  it("keeps a branch's fields in the same array element as its parent's fields", () => {
    const pattern = { a: { b: ["1"] }, $or: [{ a: { c: ["2"] } }, { x: ["y"] }] };

    expect(test(pattern, { a: [{ b: "1" }, { c: "2" }] })).toBe(false);
    expect(test(pattern, { a: [{ b: "1", c: "2" }, { c: "3" }] })).toBe(true);
    expect(test(pattern, { a: [{ b: "1" }, { c: "2" }], x: "y" })).toBe(true);
  });

  it("keeps array consistency for a nested $or inside an object", () => {
    const pattern = { items: { kind: ["disk"], $or: [{ size: [{ numeric: [">", 10] }] }, { tag: ["big"] }] } };

    expect(
      test(pattern, {
        items: [
          { kind: "disk", size: 1 },
          { kind: "net", size: 99 },
        ],
      }),
    ).toBe(false);
    expect(
      test(pattern, {
        items: [
          { kind: "disk", size: 1 },
          { kind: "disk", tag: "big" },
        ],
      }),
    ).toBe(true);
  });

  it("supports parallel ors at different levels", () => {
    const pattern = {
      $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }],
      detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
    };

    expect(test(pattern, { namespace: "AWS/EC2", detail: { "detail-type": "CloudWatch Alarm State Change" } })).toBe(
      true,
    );
    expect(test(pattern, { namespace: "AWS/EC2", detail: { source: "other" } })).toBe(false);
  });
});
