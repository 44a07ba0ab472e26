import { describe, expect, it } from "vitest";
import { compilePattern } from "./compile.js";
import { InvalidPattern } from "./errors.js";

function problemOf(pattern: unknown): { path: string; problem: string } {
  try {
    compilePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPattern);
    const invalid = error as InvalidPattern;
    return { path: invalid.path, problem: invalid.problem };
  }
  throw new Error("expected the pattern to be rejected");
}

describe("compilePattern validation", () => {
  it.each([
    ["a non-object pattern", [], "", /must be a JSON object/],
    ["invalid JSON text", "{nope", "", /not valid JSON/],
    ["an empty pattern", {}, "", /empty objects are not allowed/],
    ["an empty nested object", { detail: {} }, "detail", /empty objects/],
    ["a scalar field", { source: "aws.ec2" }, "source", /must be an object or an array/],
    ["an empty value list", { source: [] }, "source", /empty arrays are not allowed/],
    ["a nested array value", { source: [["aws.ec2"]] }, "source[0]", /match value must be/],
    ["two keys in one operator", { a: [{ prefix: "x", suffix: "y" }] }, "a[0]", /only one key/],
    ["an unknown operator", { a: [{ contains: "x" }] }, "a[0]", /unrecognized match type "contains"/],
    ["a numeric prefix", { a: [{ prefix: 5 }] }, "a[0].prefix", /prefix match pattern must be a string/],
    ["a bad prefix modifier", { a: [{ prefix: { wildcard: "x" } }] }, "a[0].prefix", /equals-ignore-case/],
    ["a non-boolean exists", { a: [{ exists: "yes" }] }, "a[0].exists", /either true or false/],
    ["a CIDR that is not one", { a: [{ cidr: "10.0.0.0/33" }] }, "a[0].cidr", /prefix length must be below 32/],
    ["a one-address IPv4 CIDR", { a: [{ cidr: "10.0.0.1/32" }] }, "a[0].cidr", /refuses \/32/],
    ["a one-address IPv6 CIDR", { a: [{ cidr: "2001:db8::1/128" }] }, "a[0].cidr", /refuses \/128/],
    ["a CIDR with spaces", { a: [{ cidr: "10.0.0.0/ 24" }] }, "a[0].cidr", /no spaces/],
    ["a CIDR address with spaces", { a: [{ cidr: " 10.0.0.0/24" }] }, "a[0].cidr", /not an IPv4 or IPv6 address/],
    ["a CIDR with a zone id", { a: [{ cidr: "fe80::%eth0/64" }] }, "a[0].cidr", /not an IPv4 or IPv6 address/],
    ["a CIDR with two slashes", { a: [{ cidr: "10.0.0.0/8/8" }] }, "a[0].cidr", /exactly one \//],
    ["consecutive wildcards", { a: [{ wildcard: "a**b" }] }, "a[0].wildcard", /consecutive wildcard/],
    ["a bad wildcard escape", { a: [{ wildcard: "a\\b" }] }, "a[0].wildcard", /backslash/],
    [
      "a mixed anything-but list",
      { a: [{ "anything-but": ["x", 1] }] },
      "a[0].anything-but",
      /all strings or all numbers/,
    ],
    ["an empty anything-but list", { a: [{ "anything-but": [] }] }, "a[0].anything-but", /at least one value/],
    ["anything-but null", { a: [{ "anything-but": null }] }, "a[0].anything-but", /must be a string, a number/],
    ["anything-but numeric", { a: [{ "anything-but": { numeric: [">", 1] } }] }, "a[0].anything-but", /unsupported/],
    ["an empty anything-but prefix", { a: [{ "anything-but": { prefix: "" } }] }, "a[0].anything-but.prefix", /empty/],
    ["a numeric that is not a list", { a: [{ numeric: 5 }] }, "a[0].numeric", /must be a non-empty array/],
    ["a bad numeric operator", { a: [{ numeric: ["!=", 5] }] }, "a[0].numeric", /unrecognized numeric range operator/],
    ["a numeric range out of order", { a: [{ numeric: ["<", 5, ">", 1] }] }, "a[0].numeric", /too many elements/],
    ["an inverted numeric range", { a: [{ numeric: [">", 9, "<", 1] }] }, "a[0].numeric", /lower bound/],
    [
      "a numeric range with equal bounds",
      { a: [{ numeric: [">=", 5, "<=", 5] }] },
      "a[0].numeric",
      /must be below the upper bound \(for one value, write \["=", 5\]\)/,
    ],
    ["an open range with equal bounds", { a: [{ numeric: [">", 5, "<", 5] }] }, "a[0].numeric", /must be below/],
    ["an integer beyond double precision", '{"a":[1,12345678901234567890]}', "a[1]", /beyond double precision/],
    ["such an integer as JSON text", '{"a":[9007199254740993]}', "a[0]", /beyond double precision/],
    [
      "such an integer in anything-but",
      '{"a":[{"anything-but":[1,-9007199254740993]}]}',
      "a[0].anything-but",
      /beyond double precision/,
    ],
    ["a numeric value out of range", { a: [{ numeric: [">", 6e9] }] }, "a[0].numeric", /outside the supported range/],
    ["a non-numeric bound", { a: [{ numeric: [">", "1"] }] }, "a[0].numeric", /must be numeric/],
    ["$or with one branch", { $or: [{ a: ["x"] }] }, "$or", /at least 2 objects/],
    ["$or that is not an array", { $or: { a: ["x"] } }, "$or", /array of objects/],
    ["$or with a scalar branch", { $or: [{ a: ["x"] }, "b"] }, "$or[1]", /only JSON objects/],
    ["an operator name as a field inside $or", { $or: [{ prefix: ["x"] }, { b: ["y"] }] }, "$or[0].prefix", /operator/],
    [
      "a $or branch re-declaring a parent field",
      { a: ["1"], $or: [{ a: ["2"] }, { b: ["3"] }] },
      "$or[0].a",
      /already declared at a;.*order of the keys/,
    ],
    [
      "a nested re-declaration",
      { d: { e: ["1"] }, $or: [{ d: { e: ["2"] } }, { b: ["3"] }] },
      "$or[0].d.e",
      /already declared at d.e/,
    ],
    [
      "a branch making a parent leaf an object",
      { a: ["1"], $or: [{ a: { c: ["2"] } }, { b: ["3"] }] },
      "$or[0].a",
      /already declared/,
    ],
    [
      "two $or levels declaring one field",
      { $or: [{ d: { e: ["1"] } }, { b: ["3"] }], d: { $or: [{ e: ["2"] }, { f: ["4"] }] } },
      "$or[0].d.e",
      /already declared at d.\$or\[0\].e/,
    ],
    [
      "too many $or combinations",
      Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, { $or: [{ a: ["1"] }, { b: ["2"] }] }])),
      "",
      /more than 256 alternatives/,
    ],
  ])("rejects %s, naming where", (_name, pattern, path, problem) => {
    const rejected = problemOf(pattern);

    expect(rejected.path).toBe(path);
    expect(rejected.problem).toMatch(problem);
  });

  it("accepts every documented operator together", () => {
    const pattern = {
      source: ["aws.ec2", { prefix: "aws." }, { suffix: "ec2" }, { "equals-ignore-case": "AWS.EC2" }],
      detail: {
        a: [{ "anything-but": { prefix: "init" } }, { "anything-but": [1, 2] }, { wildcard: "x*y" }],
        b: [{ numeric: [">", 0, "<=", 5] }, { cidr: "2001:db8::/32" }, { exists: true }, null, true, 3],
        $or: [{ c: [{ exists: false }] }, { d: [{ "anything-but": { wildcard: ["*.png", "*.jpg"] } }] }],
      },
    };

    const compiled = compilePattern(pattern);

    expect(compiled.source).toEqual(pattern);
    expect(compiled.source).not.toBe(pattern);
  });

  it("accepts sibling $or branches that declare the same field, and objects shared with the parent", () => {
    expect(() => compilePattern({ $or: [{ a: ["1"] }, { a: ["2"] }] })).not.toThrow();
    expect(() => compilePattern({ a: { b: ["1"] }, $or: [{ a: { c: ["2"] } }, { x: ["y"] }] })).not.toThrow();
  });

  it("accepts the pattern as JSON text", () => {
    expect(compilePattern('{"source":["aws.s3"]}').source).toEqual({ source: ["aws.s3"] });
  });

  it("names the path in the error message", () => {
    expect(() => compilePattern({ detail: { eventName: [{ prefix: 1 }] } })).toThrow(
      "invalid event pattern at detail.eventName[0].prefix: prefix match pattern must be a string",
    );
  });
});
