import { describe, expect, it } from "vitest";
import { compilePattern } from "./compile.js";
import { matches } from "./match.js";
import { callsOf, PatternIndex } from "./pattern-index.js";

const ct = (source: string, eventName: string, extra: Record<string, unknown> = {}) => ({
  source,
  "detail-type": "AWS API Call via CloudTrail",
  detail: { eventName, ...extra },
});

describe("PatternIndex", () => {
  it("makes a pattern added later at first use, once, in registration order with the others", () => {
    const index = new PatternIndex<string>();
    let made = 0;
    index.add("first", compilePattern({ source: ["aws.s3"] }));
    index.addLater("later", () => {
      made += 1;
      return compilePattern({ source: ["aws.s3"], "detail-type": ["x"] });
    });
    index.add("last", compilePattern({ "detail-type": ["x"] }));

    expect(made).toBe(0);
    expect(index.size).toBe(3);
    expect(index.match({ source: "aws.s3", "detail-type": "x" })).toEqual(["first", "later", "last"]);
    expect(index.match({ source: "aws.ec2", "detail-type": "x" })).toEqual(["last"]);
    expect(made).toBe(1);
  });

  it("makes a pattern about calls when an event of one of them comes, not at prepare(), in registration order", () => {
    const index = new PatternIndex<string>();
    const made: string[] = [];
    const later = (key: string, pattern: Record<string, unknown>) =>
      index.addLater(
        key,
        () => {
          made.push(key);
          return compilePattern(pattern);
        },
        callsOf(pattern),
      );
    later("create", { detail: { eventName: ["CreateUser"] } });
    later("delete", { detail: { eventName: ["DeleteUser", "DeleteRole"] } });
    later("iam", { source: ["aws.iam"] });
    later("address", { detail: { eventName: ["10.0.0.1"] } });
    expect(callsOf({ detail: { eventName: ["10.0.0.1"] } })).toBeUndefined();
    expect(callsOf({ detail: { $or: [{ eventName: ["A"] }, { x: ["B"] }] } })).toBeUndefined();

    index.prepare();
    expect(made).toEqual(["iam", "address"]);
    expect(index.match(ct("aws.iam", "ListUsers"))).toEqual(["iam"]);
    expect(made).toEqual(["iam", "address"]);
    // Found through arrays at detail and at eventName, as matching reads them.
    const deleteRole = { source: "aws.iam", detail: [{ eventName: ["x", "DeleteRole"] }] };
    expect(index.match(deleteRole)).toEqual(["delete", "iam"]);
    expect(made).toEqual(["iam", "address", "delete"]);
    // Filed after the others, still answered in registration order; made once.
    expect(index.match(ct("aws.iam", "CreateUser"))).toEqual(["create", "iam"]);
    expect(index.match(ct("aws.iam", "DeleteUser"))).toEqual(["delete", "iam"]);
    expect(made).toEqual(["iam", "address", "delete", "create"]);
  });

  it("finds a field's values by every lookup once a later pattern adds a prefix where there were only exact values", () => {
    const index = new PatternIndex<string>();
    const later = (key: string, pattern: Record<string, unknown>) =>
      index.addLater(key, () => compilePattern(pattern), callsOf(pattern));
    later("exact", { detail: { eventName: ["GetObject"], bucket: ["logs"] } });
    later("prefix", { detail: { eventName: ["PutObject"], bucket: [{ prefix: "lo" }] } });
    later("absent", { detail: { eventName: ["PutObject"], owner: [{ exists: false }] } });
    const event = (eventName: string, bucket: unknown, extra: Record<string, unknown> = {}) => ({
      source: "aws.s3",
      detail: { eventName, bucket, ...extra },
    });

    // Only exact values at detail.bucket so far: what is remembered there knows only those.
    expect(index.match(event("GetObject", "logs"))).toEqual(["exact"]);
    expect(index.match(event("GetObject", "other"))).toEqual([]);
    // A prefix filed at the same field later: both lookups answer from then on.
    expect(index.match(event("PutObject", "logs"))).toEqual(["prefix", "absent"]);
    expect(index.match(event("PutObject", "lot", { owner: "me" }))).toEqual(["prefix"]);
    expect(index.match(event("PutObject", ["x", "low"]))).toEqual(["prefix", "absent"]);
    expect(index.match(event("GetObject", "logs"))).toEqual(["exact"]);
    for (const one of [event("GetObject", "lo"), event("PutObject", 7), event("PutObject", null, { owner: null })])
      expect(index.match(one)).toEqual(index.matchEach(one));
  });

  it("makes the patterns still waiting for their calls for the reference answer and the stats", () => {
    const make = (key: string, pattern: Record<string, unknown>) => {
      const index = new PatternIndex<string>();
      index.addLater(key, () => compilePattern(pattern), callsOf(pattern));
      index.addLater("any", () => compilePattern({ source: ["aws.iam"] }));
      return index;
    };
    const never = { detail: { eventName: ["NeverCalled"] } };
    const event = { source: "aws.iam", detail: { eventName: "NeverCalled" } };
    expect(make("never", never).matchEach(event)).toEqual(["never", "any"]);
    expect(make("never", never).stats()).toMatchObject({ patterns: 2, unindexed: 0 });
    const index = make("never", never);
    expect(index.match({ source: "aws.iam", detail: { eventName: "Other" } })).toEqual(["any"]);
    expect(index.stats().buckets).toBeGreaterThan(1);
    expect(index.match(event)).toEqual(["never", "any"]);
  });

  it("throws what making a later pattern throws at its first use, or at prepare()", () => {
    const bad = () => compilePattern({ source: [{ wildcard: 5 }] });
    const index = new PatternIndex<string>();
    index.addLater("bad", bad);
    expect(() => index.prepare()).toThrow();
    expect(() => index.match({ source: "x" })).toThrow();
  });

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

  it("tests a pattern given several times once per event", () => {
    const index = new PatternIndex<string>();
    const rule = { source: ["aws.iam"], detail: { eventSource: ["iam.amazonaws.com"], eventName: ["ListUsers"] } };
    index.add("a", compilePattern(rule));
    index.add("b", compilePattern(structuredClone(rule)));
    index.add("c", compilePattern({ ...rule, "detail-type": ["AWS API Call via CloudTrail"] }));
    const listUsers = ct("aws.iam", "ListUsers", { eventSource: "iam.amazonaws.com" });

    expect(index.candidateCount(listUsers)).toBe(3);
    expect(index.testedCount(listUsers)).toBe(2);
    expect(index.match(listUsers)).toEqual(["a", "b", "c"]);
    expect(index.match(ct("aws.iam", "ListUsers", { eventSource: "other" }))).toEqual([]);
  });

  it("files a pattern that pins neither source nor eventName under another field", () => {
    const index = new PatternIndex<string>();
    index.add(
      "root",
      compilePattern({
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { userIdentity: { type: ["Root"] }, errorCode: [{ exists: false }] },
      }),
    );
    index.add("agent", compilePattern({ detail: { userAgent: [{ prefix: "sqlmap" }] } }));
    index.add("arn", compilePattern({ detail: { userIdentity: { arn: [{ suffix: ":user/breakglass" }] } } }));
    index.add("wildcard", compilePattern({ detail: { eventName: [{ wildcard: "Put*Policy" }] } }));
    index.add("folded", compilePattern({ detail: { eventName: [{ "equals-ignore-case": "consolelogin" }] } }));
    const plain = ct("aws.iam", "CreateUser", { userIdentity: { type: "IAMUser", arn: "arn:aws:iam::1:user/x" } });

    expect(index.candidateCount(plain)).toBe(0);
    expect(index.match(ct("aws.iam", "CreateUser", { userIdentity: { type: "Root" } }))).toEqual(["root"]);
    expect(index.match(ct("aws.s3", "GetObject", { userAgent: "sqlmap/1.7" }))).toEqual(["agent"]);
    expect(index.match(ct("aws.s3", "GetObject", { userIdentity: { arn: "arn:aws:iam::1:user/breakglass" } }))).toEqual(
      ["arn"],
    );
    expect(index.match(ct("aws.s3", "PutBucketPolicy"))).toEqual(["wildcard"]);
    // Found by its literal prefix "Put", then tested whole.
    expect(index.candidateCount(ct("aws.s3", "PutBucketAcl"))).toBe(1);
    expect(index.match(ct("aws.s3", "PutBucketAcl"))).toEqual([]);
    expect(index.candidateCount(ct("aws.s3", "GetBucketPolicy"))).toBe(0);
    expect(index.match(ct("aws.signin", "CONSOLELOGIN"))).toEqual(["folded"]);
    expect(index.stats().unindexed).toBe(0);
  });

  it("gates a pattern by its other indexable conditions: all must be reached", () => {
    const index = new PatternIndex<string>();
    index.add(
      "kms-describe",
      compilePattern({
        source: ["aws.kms"],
        detail: { eventName: [{ prefix: "Describe" }], errorCode: ["AccessDenied"] },
      }),
    );

    expect(index.candidateCount(ct("aws.ec2", "DescribeInstances", { errorCode: "AccessDenied" }))).toBe(0);
    expect(index.candidateCount(ct("aws.kms", "DescribeKey"))).toBe(0);
    expect(index.match(ct("aws.kms", "DescribeKey", { errorCode: "AccessDenied" }))).toEqual(["kms-describe"]);
  });

  it("finds patterns with no value to look up by running each distinct operator once per event", () => {
    const index = new PatternIndex<string>();
    index.add("range", compilePattern({ detail: { sourceIPAddress: [{ cidr: "198.51.100.0/24" }] } }));
    index.add("same-range", compilePattern({ detail: { sourceIPAddress: [{ cidr: "198.51.100.0/24" }], x: ["1"] } }));
    index.add(
      "long",
      compilePattern({ detail: { requestParameters: { durationSeconds: [{ numeric: [">", 43200] }] } } }),
    );
    index.add("absent-only", compilePattern({ detail: { errorCode: [{ exists: false }] } }));

    expect(index.stats().unindexed).toBe(1);
    expect(index.candidateCount(ct("aws.sts", "AssumeRole", { sourceIPAddress: "10.0.0.1" }))).toBe(1);
    expect(index.match(ct("aws.sts", "AssumeRole", { sourceIPAddress: "198.51.100.7" }))).toEqual([
      "range",
      "absent-only",
    ]);
    expect(index.match(ct("aws.sts", "AssumeRole", { requestParameters: { durationSeconds: 43201 } }))).toEqual([
      "long",
      "absent-only",
    ]);
  });

  it("takes patterns added after matching into account", () => {
    const index = new PatternIndex<string>();
    index.add("first", compilePattern({ source: ["aws.s3"] }));
    expect(index.match(ct("aws.s3", "GetObject"))).toEqual(["first"]);
    index.add("second", compilePattern({ detail: { eventName: ["GetObject"] } }));

    expect(index.match(ct("aws.s3", "GetObject"))).toEqual(["first", "second"]);
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

    // open-branch's $or is a gate: an s3 event with neither GetObject nor the region is not tried.
    expect(index.candidateCount(ct("aws.s3", "PutBucketPolicy"))).toBe(0);
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

  it("refutes a pattern by a field it wants absent, and proves plain fields and a $or from the walk", () => {
    const index = new PatternIndex<string>();
    const loopPrevention = {
      $or: [
        { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } },
        { sessionContext: { sessionIssuer: { userName: [{ "anything-but": { prefix: "riposte-" } }] } } },
      ],
    };
    const pattern = compilePattern({
      source: ["aws.iam"],
      detail: {
        eventName: ["CreateUser"],
        errorCode: [{ exists: false }],
        userIdentity: { type: [{ "anything-but": "AWSService" }], ...loopPrevention },
      },
    });
    index.add("create-user", pattern);
    const user = { type: "IAMUser" };
    const byTool = { type: "AssumedRole", sessionContext: { sessionIssuer: { userName: "riposte-role" } } };
    const plain = ct("aws.iam", "CreateUser", { userIdentity: user });
    const failed = ct("aws.iam", "CreateUser", { userIdentity: user, errorCode: "AccessDenied" });
    const fromTool = ct("aws.iam", "CreateUser", { userIdentity: byTool });
    const inArray = { ...plain, detail: [plain.detail] };

    expect([plain, failed, fromTool, inArray].map((event) => matches(pattern, event))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(index.match(plain)).toEqual(["create-user"]);
    expect(index.provenCount(plain)).toBe(1);
    expect(index.candidateCount(failed)).toBe(0);
    expect(index.match(fromTool)).toEqual([]);
    expect(index.provenCount(fromTool)).toBe(0);
    // Across an array the fields might sit in different elements: tested, not proven.
    expect(index.match(inArray)).toEqual(["create-user"]);
    expect(index.provenCount(inArray)).toBe(0);
  });
  it("proves a pattern whose $or adds to an object its parent also names, by one of its alternatives", () => {
    // Arrange: loop prevention names userIdentity beside a $or one of whose branches names it too,
    // so the pattern is matched as two alternatives (the branches merged into detail).
    const index = new PatternIndex<string>();
    const pattern = compilePattern({
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        errorCode: [{ exists: false }],
        userIdentity: { type: [{ "anything-but": "AWSService" }] },
        $or: [
          { eventName: ["ConsoleLogin"], responseElements: { ConsoleLogin: ["Success"] } },
          { userIdentity: { accessKeyId: [{ prefix: "AKIA" }, { prefix: "ASIA" }] } },
        ],
      },
    });
    expect(pattern.alternatives).toHaveLength(2);
    index.add("travel", pattern);
    const call = (detail: Record<string, unknown>) => ({ "detail-type": "AWS API Call via CloudTrail", detail });
    const withKey = call({ eventName: "ListUsers", userIdentity: { type: "IAMUser", accessKeyId: "AKIAEXAMPLE" } });
    const login = call({
      eventName: "ConsoleLogin",
      userIdentity: { type: "IAMUser" },
      responseElements: { ConsoleLogin: "Success" },
    });
    const byService = call({
      eventName: "ListUsers",
      userIdentity: { type: "AWSService", accessKeyId: "ASIAEXAMPLE" },
    });
    const keyInArray = call({
      eventName: "ListUsers",
      userIdentity: [{ type: "IAMUser", accessKeyId: "AKIAEXAMPLE" }],
    });

    // Act
    const answers = [withKey, login, byService, keyInArray].map((event) => [
      index.match(event).length,
      index.provenCount(event),
      matches(pattern, event) ? 1 : 0,
    ]);

    // Assert: the index answers as matching does; plain fields are proven, across an array tested.
    expect(answers).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [0, 0, 0],
      [1, 0, 1],
    ]);
  });
  it("answers the same when a node has more children than an object has keys (walked by the object's keys)", () => {
    // Arrange: a dozen patterns, each on its own request field, so requestParameters has a dozen
    // children; events with a few of those keys, others, JSON's own "__proto__" key and arrays.
    const index = new PatternIndex<number>();
    const fields = Array.from({ length: 12 }, (_, n) => `field${n}`);
    const patterns = fields.map((field, n) =>
      compilePattern({ detail: { requestParameters: { [field]: [`v${n}`, { prefix: "p" }] } } }),
    );
    for (const [key, pattern] of patterns.entries()) index.add(key, pattern);
    const events = [
      { detail: { requestParameters: { field3: "v3", other: "v3" } } },
      { detail: { requestParameters: { field0: "px", field11: "v11", field5: "nope" } } },
      { detail: { requestParameters: [{ field7: "v7" }, { field8: ["no", "v8"] }] } },
      JSON.parse('{"detail":{"requestParameters":{"__proto__":{"field1":"v1"},"field2":"v2"}}}'),
      { detail: { requestParameters: Object.create({ field4: "v4" }) } },
      { detail: { requestParameters: {} } },
    ];

    // Act / Assert: every event, the index's answer is testing every pattern's.
    for (const event of events) {
      const expected = patterns.flatMap((pattern, key) => (matches(pattern, event) ? [key] : []));
      expect(index.match(event)).toEqual(expected);
    }
    expect(index.match(events[0])).toEqual([3]);
  });

  it("walks an event's other fields only as far as the patterns filed where it reached need them", () => {
    // Arrange: patterns filed under their event names, each also testing its own request field;
    // an event named like one of them whose requestParameters records which keys are read.
    const index = new PatternIndex<string>();
    for (const name of ["ListUsers", "Decrypt", "GetBucketLocation"]) {
      index.add(
        name,
        compilePattern({ detail: { eventName: [name], requestParameters: { [`${name}Field`]: ["x"] } } }),
      );
    }
    const read = new Set<string>();
    const requestParameters = new Proxy(
      { ListUsersField: "x", DecryptField: "x", GetBucketLocationField: "x" },
      {
        get(target, key, receiver) {
          read.add(String(key));
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const event = { detail: { eventName: "Decrypt", requestParameters } };

    // Act
    const matched = index.match(event);

    // Assert: the right answer, having read the Decrypt pattern's field and no other pattern's.
    expect(matched).toEqual(["Decrypt"]);
    expect(read.has("DecryptField")).toBe(true);
    expect(read.has("ListUsersField") || read.has("GetBucketLocationField")).toBe(false);
  });
});
