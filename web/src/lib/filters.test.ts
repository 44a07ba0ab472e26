import { describe, expect, it } from "vitest";
import { summary } from "../test/fixtures.js";
import { createMatcher, DEFAULT_FILTER, filterToParams, parseFilter, sortIncidents } from "./filters.js";

const NOW = Date.parse("2026-03-02T00:00:00.000Z");

describe("parseFilter", () => {
  it("keeps known values in catalogue order and drops the rest", () => {
    const filter = parseFilter({ status: "MITIGATED,bogus,NEW", severity: "critical", sort: "nope", q: "alice" });

    expect(filter.status).toEqual(["NEW", "MITIGATED"]);
    expect(filter.severity).toEqual(["critical"]);
    expect(filter.sort).toBe("created");
    expect(filter.q).toBe("alice");
  });

  it("round-trips through search parameters, leaving defaults out", () => {
    const filter = { ...DEFAULT_FILTER, category: ["storage" as const], range: "24h" as const, sort: "score" as const };

    const params = filterToParams(filter);

    expect(params).toMatchObject({
      category: "storage",
      range: "24h",
      sort: "score",
      status: undefined,
      dir: undefined,
    });
    expect(parseFilter(params)).toEqual({ ...filter, since: undefined, until: undefined });
  });

  it("ignores malformed custom dates", () => {
    expect(parseFilter({ range: "custom", since: "yesterday-ish" }).since).toBeUndefined();
  });
});

describe("createMatcher", () => {
  const items = [
    summary({ id: "a", status: "NEW", severity: "critical", createdAt: "2026-03-01T23:30:00.000Z" }),
    summary({
      id: "b",
      status: "MITIGATED",
      category: "storage",
      resource: "Payroll-Bucket",
      createdAt: "2026-02-20T00:00:00.000Z",
    }),
    summary({
      id: "c",
      status: "NEW",
      severity: "low",
      principal: "arn:aws:iam::1:user/Mallory",
      createdAt: "2026-03-01T12:00:00.000Z",
    }),
  ];

  it("combines status, severity and category filters", () => {
    const match = createMatcher({ ...DEFAULT_FILTER, status: ["NEW"], severity: ["critical", "high"] }, NOW);

    expect(items.filter(match).map((item) => item.id)).toEqual(["a"]);
  });

  it("matches free text case-insensitively across principal and resource", () => {
    expect(items.filter(createMatcher({ ...DEFAULT_FILTER, q: "mallory" }, NOW)).map((i) => i.id)).toEqual(["c"]);
    expect(items.filter(createMatcher({ ...DEFAULT_FILTER, q: "payroll" }, NOW)).map((i) => i.id)).toEqual(["b"]);
  });

  it("selects a relative time window and a custom one", () => {
    expect(items.filter(createMatcher({ ...DEFAULT_FILTER, range: "1h" }, NOW)).map((i) => i.id)).toEqual(["a"]);
    const custom = {
      ...DEFAULT_FILTER,
      range: "custom" as const,
      since: "2026-02-19T00:00:00.000Z",
      until: "2026-02-21T00:00:00.000Z",
    };
    expect(items.filter(createMatcher(custom, NOW)).map((i) => i.id)).toEqual(["b"]);
  });
});

describe("sortIncidents", () => {
  it("sorts by severity descending with newest first on ties, without touching the input", () => {
    const input = [
      summary({ id: "low", severity: "low" }),
      summary({ id: "crit-old", severity: "critical", createdAt: "2026-01-01T00:00:00.000Z" }),
      summary({ id: "crit-new", severity: "critical", createdAt: "2026-02-01T00:00:00.000Z" }),
    ];

    const sorted = sortIncidents(input, "severity", "desc");

    expect(sorted.map((item) => item.id)).toEqual(["crit-new", "crit-old", "low"]);
    expect(input[0]?.id).toBe("low");
  });

  it("puts unscored incidents last when sorting by score descending", () => {
    const sorted = sortIncidents(
      [summary({ id: "none" }), summary({ id: "90", score: 90 }), summary({ id: "10", score: 10 })],
      "score",
      "desc",
    );

    expect(sorted.map((item) => item.id)).toEqual(["90", "10", "none"]);
  });
});
