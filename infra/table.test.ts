import { describe, expect, it } from "vitest";
import { compilePattern } from "../core/patterns/compile.js";
import { matches } from "../core/patterns/match.js";
import { tableDefinition } from "../core/store/dynamodb/table.js";
import { INCIDENT_STREAM_FILTER, incidentTableArgs } from "./table.js";

/** The deployed table must be the one `DynamoStore` is tested against (`tableDefinition`). */
describe("incidentTableArgs", () => {
  const reference = tableDefinition("reference");
  const args = incidentTableArgs();

  it("declares exactly the reference's key attributes, all strings", () => {
    const referenceFields = Object.fromEntries(
      reference.AttributeDefinitions.map((attribute) => [attribute.AttributeName, attribute.AttributeType]),
    );

    expect(Object.fromEntries(Object.entries(args.fields).map(([name]) => [name, "S"]))).toEqual(referenceFields);
    expect(Object.values(args.fields).every((type) => type === "string")).toBe(true);
  });

  it("has the reference's primary key", () => {
    const hash = reference.KeySchema.find((key) => key.KeyType === "HASH")?.AttributeName;
    const range = reference.KeySchema.find((key) => key.KeyType === "RANGE")?.AttributeName;

    expect(args.primaryIndex).toEqual({ hashKey: hash, rangeKey: range });
  });

  it("has the reference's global indexes, keys and projections", () => {
    const expected = Object.fromEntries(
      reference.GlobalSecondaryIndexes.map((index) => [
        index.IndexName,
        {
          hashKey: index.KeySchema?.find((key) => key.KeyType === "HASH")?.AttributeName,
          rangeKey: index.KeySchema?.find((key) => key.KeyType === "RANGE")?.AttributeName,
          projection: index.Projection?.NonKeyAttributes,
        },
      ]),
    );

    expect(args.globalIndexes).toEqual(expected);
    expect(reference.GlobalSecondaryIndexes.every((index) => index.Projection?.ProjectionType === "INCLUDE")).toBe(
      true,
    );
    expect(args.globalIndexes.byStatus.projection).toContain("approval");
  });

  it("streams new and old images and expires items by expiresAt", () => {
    expect(reference.StreamSpecification.StreamViewType).toBe("NEW_AND_OLD_IMAGES");
    expect(args.stream.toUpperCase().replaceAll("-", "_")).toBe("NEW_AND_OLD_IMAGES");
    expect(args.ttl).toBe("expiresAt");
  });
});

describe("INCIDENT_STREAM_FILTER", () => {
  const filter = compilePattern(INCIDENT_STREAM_FILTER);
  const record = (sk: string) => ({
    eventName: "MODIFY",
    dynamodb: { Keys: { pk: { S: "INCIDENT#x" }, sk: { S: sk } } },
  });

  it("lets incident items through and nothing else", () => {
    expect(matches(filter, record("INCIDENT"))).toBe(true);
    expect(matches(filter, record("AUDIT#2026-01-01T00:00:00.000Z#1"))).toBe(false);
    expect(matches(filter, record("APPROVAL"))).toBe(false);
  });
});
