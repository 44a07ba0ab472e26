import { describe, expect, it } from "vitest";
import { type Condition, compileCondition, valuesAt, withoutPinnedTests } from "./condition.js";
import { ConditionSchema } from "./condition-schema.js";

const check = (condition: unknown, record: unknown) => compileCondition(ConditionSchema.parse(condition))(record);

const record = {
  eventName: "PutBucketPolicy",
  userAgent: "AWS-CLI/2.15 Python",
  readOnly: false,
  sourceIPAddress: "203.0.113.9",
  requestParameters: {
    bucketName: "Logs-Bucket",
    policy: { Statement: [{ Effect: "Allow", Principal: "*" }] },
    count: "17",
  },
  resources: [{ ARN: "arn:aws:s3:::a" }, { ARN: "arn:aws:s3:::b" }],
};

describe("field tests", () => {
  it("compare text ignoring case unless cased", () => {
    expect(check({ field: "requestParameters.bucketName", equals: "logs-bucket" }, record)).toBe(true);
    expect(check({ field: "requestParameters.bucketName", equals: "logs-bucket", cased: true }, record)).toBe(false);
    expect(check({ field: "userAgent", startswith: "aws-cli/" }, record)).toBe(true);
    expect(check({ field: "userAgent", endswith: "PYTHON" }, record)).toBe(true);
    expect(check({ field: "userAgent", contains: ["boto", "cli/2"] }, record)).toBe(true);
    expect(check({ field: "userAgent", contains: ["boto", "terraform"] }, record)).toBe(false);
  });

  it("match JSON types by their text: 'false' matches false, '17' matches a number or a string", () => {
    expect(check({ field: "readOnly", equals: "false" }, record)).toBe(true);
    expect(check({ field: "readOnly", equals: false }, record)).toBe(true);
    expect(check({ field: "requestParameters.count", equals: 17 }, record)).toBe(true);
    expect(check({ field: "requestParameters.count", gt: 16, lte: 17 }, record)).toBe(true);
    expect(check({ field: "requestParameters.count", gt: 17 }, record)).toBe(false);
  });

  it("look through arrays and require every value with all: true", () => {
    expect(valuesAt(record, ["resources", "ARN"])).toEqual(["arn:aws:s3:::a", "arn:aws:s3:::b"]);
    expect(check({ field: "resources.ARN", endswith: ["::a", "::b"], all: true }, record)).toBe(true);
    expect(check({ field: "resources.ARN", endswith: ["::a", "::c"], all: true }, record)).toBe(false);
    expect(check({ field: "resources.ARN", endswith: ["::a", "::c"] }, record)).toBe(true);
  });

  it("search an object's JSON text with jsonContains, not with contains", () => {
    expect(check({ field: "requestParameters.policy", jsonContains: '"principal":"*"' }, record)).toBe(true);
    expect(check({ field: "requestParameters.policy", contains: "Principal" }, record)).toBe(false);
  });

  it("search each object's own text with jsonContains, whichever object was searched before", () => {
    // The text of the object searched last is kept for the next rule: it must never answer for another.
    const test = compileCondition(ConditionSchema.parse({ field: "requestParameters", jsonContains: "needle" }));
    const withNeedle = { requestParameters: { name: "Needle-1" } };
    const without = { requestParameters: { name: "hay" } };
    const answers = [withNeedle, without, without, withNeedle, { requestParameters: ["a", "NEEDLE"] }, without].map(
      test,
    );
    expect(answers).toEqual([true, false, false, true, true, false]);
  });

  it("read a field once per record for every test of it, and never answer one record with another's value", () => {
    // Tests of one path share the value (and its lower-cased text) read from the record tested last.
    const compile = (condition: unknown) => compileCondition(ConditionSchema.parse(condition));
    const tests = [
      compile({ field: "requestParameters.roleArn", endswith: "/admin" }),
      compile({ field: "requestParameters.roleArn", contains: "ROLE/ADM", cased: true }),
      compile({ field: "requestParameters.roleArn", equals: "arn:aws:iam::1:role/admin" }),
      compile({ not: { field: "requestParameters.roleArn", startswith: "arn:aws:iam::1:" } }),
      compile({ field: "requestParameters", jsonContains: "role/admin" }),
    ];
    const admin = { requestParameters: { roleArn: "arn:aws:iam::1:role/Admin" } };
    const app = { requestParameters: { roleArn: "arn:aws:iam::2:role/app" } };
    const listed = { requestParameters: { roleArn: ["x", "arn:aws:iam::1:role/ADMIN"] } };
    const none = { requestParameters: {} };
    const order = [admin, app, app, none, admin, listed, admin, none, listed, app];
    const expected = new Map<object, boolean[]>([
      [admin, [true, false, true, false, true]],
      [app, [false, false, false, true, false]],
      [listed, [true, false, true, false, true]],
      [none, [false, false, false, true, false]],
    ]);
    // Each test right after the others on the same record, and each test alone over the sequence.
    for (const one of order) expect(tests.map((test) => test(one))).toEqual(expected.get(one));
    for (const [i, test] of tests.entries()) expect(order.map(test)).toEqual(order.map((one) => expected.get(one)![i]));
  });
  it("exists, cidr, regex", () => {
    expect(check({ field: "errorCode", exists: false }, record)).toBe(true);
    expect(check({ field: "requestParameters.bucketName", exists: true }, record)).toBe(true);
    expect(check({ field: "errorCode", exists: true }, { errorCode: null })).toBe(false);
    expect(check({ field: "sourceIPAddress", cidr: "203.0.113.0/24" }, record)).toBe(true);
    expect(check({ field: "sourceIPAddress", cidr: ["10.0.0.0/8"] }, record)).toBe(false);
    expect(check({ field: "eventName", regex: "^Put.*Policy$" }, record)).toBe(true);
    expect(check({ field: "eventName", regex: "^put" }, record)).toBe(false);
    expect(check({ field: "eventName", regex: "^put", regexFlags: "i" }, record)).toBe(true);
  });

  it("combine with all, any and not", () => {
    const condition: Condition = {
      all: [
        { field: "eventName", equals: "putbucketpolicy" },
        {
          not: {
            any: [
              { field: "userAgent", contains: "console" },
              { field: "errorCode", exists: true },
            ],
          },
        },
      ],
    };
    expect(check(condition, record)).toBe(true);
    expect(check(condition, { ...record, errorCode: "AccessDenied" })).toBe(false);
  });

  it("never throws on odd shapes", () => {
    const odd = [
      null,
      "text",
      5,
      [],
      { requestParameters: null },
      { requestParameters: "a string" },
      { resources: "x" },
    ];
    for (const value of odd) {
      expect(check({ field: "requestParameters.bucketName", equals: "x" }, value)).toBe(false);
      expect(check({ field: "requestParameters", jsonContains: "zzz" }, value)).toBe(false);
      expect(check({ field: "resources.ARN", regex: "a" }, value)).toBe(false);
    }
  });
});

describe("one value or a list of one", () => {
  // A field holding one value is read without a list; in a list of one, through `valuesAt`: the same answers.
  const tests: Record<string, unknown>[] = [
    { equals: ["abc", "17"] },
    { equals: ["abc", "ABC"], all: true },
    { contains: "B" },
    { contains: ["a", "c"], all: true },
    { startswith: "ab", cased: true },
    { endswith: "BC" },
    { wildcard: "a*c" },
    { regex: "^a" },
    { jsonContains: ["null"] },
    { jsonContains: ['"k":1', "1"], all: true },
    { cidr: "10.0.0.0/8" },
    { gt: 16, lte: 17 },
  ];
  const values: unknown[] = ["abc", "ABC", 17, "17", true, null, { k: 1 }, "10.1.2.3", "", "x"];
  it.each(tests.map((test) => [JSON.stringify(test), test]))("%s", (_name, test) => {
    let held = 0;
    for (const value of values) {
      const condition = { field: "requestParameters.f", ...test };
      const alone = check(condition, { requestParameters: { f: value } });
      expect(check(condition, { requestParameters: { f: [value] } }), JSON.stringify(value)).toBe(alone);
      expect(check(condition, { requestParameters: [{ f: value }] }), JSON.stringify(value)).toBe(alone);
      if (alone) held++;
    }
    expect(check({ field: "requestParameters.f", ...test }, { requestParameters: {} })).toBe(false);
    expect(held).toBeGreaterThan(0);
  });
});

describe("withoutPinnedTests", () => {
  const pinned = new Map([
    ["eventSource", ["s3.amazonaws.com"]],
    ["eventName", ["PutBucketPolicy", "DeleteBucketPolicy"]],
  ]);
  const selection = (name: string): Condition => ({
    all: [
      { field: "eventSource", equals: "S3.amazonaws.com" },
      { field: "eventName", equals: name },
      { field: "requestParameters.bucketName", contains: "logs" },
    ],
  });

  it("leaves out equals tests every pinned value passes, and keeps the rest", () => {
    const both = { all: [{ field: "eventName", equals: ["putbucketpolicy", "DeleteBucketPolicy"] }] };
    expect(withoutPinnedTests(both, pinned)).toBe(true);
    // Only one of the pinned names passes: the event may carry the other, so the test stays.
    expect(withoutPinnedTests(selection("PutBucketPolicy"), pinned)).toEqual({
      all: [
        { field: "eventName", equals: "PutBucketPolicy" },
        { field: "requestParameters.bucketName", contains: "logs" },
      ],
    });
    const cased = { field: "eventSource", equals: "S3.amazonaws.com", cased: true };
    expect(withoutPinnedTests(cased, pinned)).toEqual(cased);
    const every = { field: "eventSource", equals: ["s3.amazonaws.com", "x"], all: true };
    expect(withoutPinnedTests(every, pinned)).toEqual(every);
    const notPinned = { field: "requestParameters.eventSource", equals: "s3.amazonaws.com" };
    expect(withoutPinnedTests(notPinned, pinned)).toEqual(notPinned);
    // not(always true) is always false: kept as it is.
    const negated = { not: { field: "eventSource", equals: "s3.amazonaws.com" } };
    expect(withoutPinnedTests(negated, pinned)).toEqual(negated);
    expect(
      withoutPinnedTests({ any: [selection("x"), { field: "eventSource", equals: "s3.amazonaws.com" }] }, pinned),
    ).toBe(true);
  });

  it("gives the same answer as the whole condition on every event the pins allow", () => {
    const condition: Condition = {
      any: [
        selection("PutBucketPolicy"),
        { all: [{ field: "eventSource", equals: "s3.amazonaws.com" }, { not: { field: "errorCode", exists: true } }] },
      ],
    };
    const rest = withoutPinnedTests(condition, new Map([["eventSource", ["s3.amazonaws.com"]]]));
    expect(rest).not.toBe(true);
    for (const eventName of ["PutBucketPolicy", "DeleteBucketPolicy"])
      for (const bucketName of ["my-logs", "other"])
        for (const errorCode of [undefined, "AccessDenied"]) {
          const event = { eventSource: "s3.amazonaws.com", eventName, requestParameters: { bucketName }, errorCode };
          expect(compileCondition(rest as Condition)(event)).toBe(compileCondition(condition)(event));
        }
  });
});

describe("validation", () => {
  const problems = (condition: unknown) => {
    const result = ConditionSchema.safeParse(condition);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("wants exactly one operator per field test", () => {
    expect(problems({ field: "a" })[0]).toMatch(/needs one operator/);
    expect(problems({ field: "a", equals: "x", contains: "y" })[0]).toMatch(/one operator, not equals and contains/);
    expect(problems({ field: "a", equals: "x", colour: "y" }).join()).toMatch(/colour/);
  });

  it("refuses catastrophic regexes and bad ranges, naming the value", () => {
    expect(problems({ field: "a", regex: ["ok", "(a+)+$"] })[0]).toMatch(/^regex\.1: a repeated group/);
    expect(problems({ field: "a", regex: ".*a.*b" })[0]).toMatch(/at most 1 repetition/);
    expect(problems({ field: "a", regex: "(a)\\1" })[0]).toMatch(/backreferences/);
    expect(problems({ field: "a", cidr: "10.0.0.0/33" })[0]).toMatch(/^cidr: "10.0.0.0\/33" is not a CIDR/);
  });
});

describe("valuesAt", () => {
  /** The definition: a list of values per step, arrays looked through one level at each. */
  function reference(record: unknown, path: readonly string[]): unknown[] {
    let current: unknown[] = [record];
    for (const key of path) {
      const next: unknown[] = [];
      for (const value of current) {
        for (const item of Array.isArray(value) ? value : [value]) {
          if (typeof item === "object" && item !== null && !Array.isArray(item) && Object.hasOwn(item, key)) {
            next.push((item as Record<string, unknown>)[key]);
          }
        }
      }
      current = next;
    }
    return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
  }

  it("finds what the definition finds, with and without arrays on the way", () => {
    const record = {
      userIdentity: { arn: "arn:aws:iam::1:user/a", sessionContext: null },
      resources: [{ ARN: "r1" }, { ARN: ["r2", "r3"] }, "text", [{ ARN: "deep" }]],
      requestParameters: { tags: [["x"]], n: 0, missing: undefined, list: [1, [2]] },
      __proto__x: 1,
    };
    const paths = [
      "userIdentity.arn",
      "userIdentity.sessionContext.sessionIssuer",
      "resources.ARN",
      "resources",
      "requestParameters.tags",
      "requestParameters.n",
      "requestParameters.missing",
      "requestParameters.list",
      "requestParameters.toString",
      "nothing.here",
    ];
    for (const path of paths) {
      expect(valuesAt(record, path.split(".")), path).toEqual(reference(record, path.split(".")));
    }
    expect(valuesAt([{ a: 1 }, { a: 2 }], ["a"])).toEqual([1, 2]);
    expect(valuesAt("text", ["a"])).toEqual([]);
  });
});
