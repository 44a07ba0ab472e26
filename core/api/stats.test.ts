import { describe, expect, it } from "vitest";
import type { IncidentSummary } from "../model/incident.js";
import { computeStats, percentile } from "./stats.js";

function summary(overrides: Partial<IncidentSummary>): IncidentSummary {
  return {
    id: "i",
    detection: "root-account-usage",
    category: "identity",
    severity: "high",
    title: "t",
    status: "NEW",
    version: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    account: "1",
    region: "r",
    principal: "",
    resource: "",
    mode: "dry-run",
    ...overrides,
  };
}

describe("computeStats", () => {
  it("counts by status, category and severity, with zeros, in catalog order", () => {
    const stats = computeStats([
      summary({ status: "MITIGATED", category: "network", severity: "critical" }),
      summary({ status: "MITIGATED" }),
      summary({ status: "NEW" }),
    ]);

    expect(stats.total).toBe(3);
    expect(stats.byStatus.find((entry) => entry.key === "MITIGATED")?.count).toBe(2);
    expect(stats.byStatus.find((entry) => entry.key === "FAILED")?.count).toBe(0);
    expect(stats.byCategory.map((entry) => entry.key)).toEqual(["identity", "logging", "network", "storage", "threat"]);
    expect(stats.bySeverity.find((entry) => entry.key === "critical")?.count).toBe(1);
  });

  it("measures time to respond from creation to the first final status: mean and nearest-rank p90", () => {
    const responded = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000].map((seconds, index) =>
      summary({
        id: `i${index}`,
        createdAt: "2026-01-01T00:00:00.000Z",
        respondedAt: new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString(),
      }),
    );

    const stats = computeStats([...responded, summary({ id: "open" })]);

    expect(stats.timeToRespond).toEqual({ mean: 145, p90: 90, count: 10 });
    expect(percentile([1, 2, 3], 0.9)).toBe(3);
    expect(computeStats([]).timeToRespond).toEqual({ count: 0 });
  });

  it("buckets incidents by hour over a short span, filling empty hours", () => {
    const stats = computeStats([
      summary({ createdAt: "2026-01-01T00:10:00.000Z" }),
      summary({ createdAt: "2026-01-01T00:50:00.000Z" }),
      summary({ createdAt: "2026-01-01T02:05:00.000Z" }),
    ]);

    expect(stats.overTime).toEqual([
      { bucket: "2026-01-01T00:00:00.000Z", count: 2 },
      { bucket: "2026-01-01T01:00:00.000Z", count: 0 },
      { bucket: "2026-01-01T02:00:00.000Z", count: 1 },
    ]);
  });

  it("buckets by day over a long span, and ranks top principals and resources, ignoring blanks", () => {
    const stats = computeStats([
      summary({ createdAt: "2026-01-01T10:00:00.000Z", principal: "bob", resource: "sg-1" }),
      summary({ createdAt: "2026-01-09T10:00:00.000Z", principal: "alice", resource: "sg-1" }),
      summary({ createdAt: "2026-01-09T11:00:00.000Z", principal: "alice" }),
    ]);

    expect(stats.overTime).toHaveLength(9);
    expect(stats.overTime[0]).toEqual({ bucket: "2026-01-01T00:00:00.000Z", count: 1 });
    expect(stats.topPrincipals).toEqual([
      { key: "alice", count: 2 },
      { key: "bob", count: 1 },
    ]);
    expect(stats.topResources).toEqual([{ key: "sg-1", count: 2 }]);
  });
  it("handles more incidents than a call stack holds arguments", () => {
    const many = Array.from({ length: 300_000 }, (_, index) =>
      summary({ createdAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString() }),
    );

    const stats = computeStats(many);

    expect(stats.total).toBe(300_000);
    expect(stats.overTime[0]).toEqual({ bucket: "2026-01-01T00:00:00.000Z", count: 86_400 });
  });
});
