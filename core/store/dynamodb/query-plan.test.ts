import { describe, expect, it } from "vitest";
import { SHARDS } from "./keys.js";
import { planQuery } from "./query-plan.js";

describe("planQuery", () => {
  it("reads the resource index for a resource, filtering the other fields", () => {
    const plan = planQuery({ resource: "sg-1", status: ["NEW", "TRIAGED"], principal: "alice" });

    expect(plan?.indexName).toBe("byResource");
    expect(plan?.partitions).toEqual([
      "RESOURCE#sg-1",
      ...Array.from({ length: SHARDS }, (_, n) => `RESOURCE#sg-1#${n}`),
    ]);
    expect(plan?.filter).toBe("#status IN (:status0, :status1) AND #principal = :principal");
  });

  it("reads the status index for exactly one status and the time index otherwise", () => {
    expect(planQuery({ status: ["MITIGATED"] })?.indexName).toBe("byStatus");
    expect(planQuery({ status: ["MITIGATED", "FAILED"] })?.indexName).toBe("byTime");
    expect(planQuery({})).toMatchObject({ indexName: "byTime", keyCondition: "#pk = :pk", filter: undefined });
  });

  it("reads every shard of the time and status indexes, and their pre-sharding partitions", () => {
    const byTime = planQuery({});
    const byStatus = planQuery({ status: ["NEW"] });

    expect(byTime?.partitions).toEqual(["INCIDENTS", ...Array.from({ length: SHARDS }, (_, n) => `INCIDENTS#${n}`)]);
    expect(byStatus?.partitions).toEqual([
      "STATUS#NEW",
      ...Array.from({ length: SHARDS }, (_, n) => `STATUS#NEW#${n}`),
    ]);
    expect(byTime?.values[":pk"]).toBeUndefined();
  });

  it("bounds the sort key by time and cursor, taking the tighter upper bound", () => {
    const plan = planQuery(
      { since: "2026-01-01T00:00:00.000Z", until: "2026-12-31T00:00:00.000Z" },
      { createdAt: "2026-06-01T00:00:00.000Z", id: "x" },
    );

    expect(plan?.keyCondition).toBe("#pk = :pk AND #sk BETWEEN :lower AND :upper");
    expect(plan?.values[":upper"]).toBe("2026-06-01T00:00:00.000Z#x");
  });

  it("returns no plan when the cursor is already before the lower bound", () => {
    const plan = planQuery({ since: "2026-06-02T00:00:00.000Z" }, { createdAt: "2026-06-01T00:00:00.000Z", id: "x" });

    expect(plan).toBeUndefined();
  });

  it("filters instead of using a sparse index for an empty principal", () => {
    const plan = planQuery({ principal: "" });

    expect(plan?.indexName).toBe("byTime");
    expect(plan?.filter).toBe("#principal = :principal");
  });
});
