import { describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import type { Enrichment } from "../model/incident.js";
import { isOffHours } from "./off-hours.js";
import { priorityFor } from "./priority.js";
import { scoreIncident } from "./score.js";

// 2026-03-10 is a Tuesday; 14:29 UTC is inside the default working hours (08–19 UTC).
const WORKING_TIME = "2026-03-10T14:29:00.000Z";
const SATURDAY_NIGHT = "2026-03-14T03:12:00.000Z";

const publicSource: Enrichment["source"] = { ip: "185.220.101.1", kind: "public", trusted: false };
const sg = (production: boolean): Enrichment["resource"] => ({
  type: "security-group",
  id: "sg-1",
  tags: {},
  production,
  protected: false,
});

interface Row {
  name: string;
  severity: "info" | "low" | "medium" | "high" | "critical";
  detection?: string;
  time?: string;
  facts?: Record<string, unknown>;
  enrichment: Omit<Enrichment, "errors">;
  value: number;
  priority: "P1" | "P2" | "P3" | "P4";
  factors: string[];
}

const ROWS: Row[] = [
  {
    name: "a world-open SSH rule, nothing else known",
    severity: "high",
    enrichment: { source: publicSource, resource: sg(false) },
    value: 55,
    priority: "P3",
    factors: ["severity"],
  },
  {
    name: "the same rule on a production group",
    severity: "high",
    enrichment: { source: publicSource, resource: sg(true) },
    value: 70,
    priority: "P2",
    factors: ["severity", "production"],
  },
  {
    name: "root used at night from a new address and network",
    severity: "critical",
    detection: "root-account-usage",
    time: SATURDAY_NIGHT,
    enrichment: { source: publicSource, principal: { type: "root", newIp: true, newAsn: true } },
    value: 100,
    priority: "P1",
    factors: ["severity", "new-ip", "new-asn", "root", "off-hours"],
  },
  {
    name: "a failed login from the office",
    severity: "low",
    detection: "console-login-failure",
    enrichment: { source: { ip: "10.0.0.5", kind: "private", trusted: true }, principal: { type: "iam-user" } },
    value: 0,
    priority: "P4",
    factors: ["severity", "trusted-cidr"],
  },
  {
    name: "impossible travel by a repeat offender on a new device",
    severity: "high",
    detection: "impossible-travel",
    facts: { distanceKm: 8120.4, speedKmh: 4060.2 },
    enrichment: { source: publicSource, principal: { type: "iam-user", newDevice: true, priorIncidents: 2 } },
    value: 95,
    priority: "P1",
    factors: ["severity", "new-device", "impossible-travel", "repeat-offence"],
  },
  {
    name: "a medium finding stays below the remediation threshold",
    severity: "medium",
    detection: "s3-cors-permissive",
    enrichment: { resource: { type: "s3-bucket", id: "b", tags: {}, production: false, protected: false } },
    value: 35,
    priority: "P3",
    factors: ["severity"],
  },
  {
    name: "an informational finding",
    severity: "info",
    enrichment: {},
    value: 5,
    priority: "P4",
    factors: ["severity"],
  },
];

describe("scoreIncident", () => {
  it.each(ROWS)("$name → $value ($priority)", (row) => {
    const deps = makeDeps();
    const incident = makeIncident({
      severity: row.severity,
      detection: (row.detection ?? "sg-ssh-open-world") as never,
      time: row.time ?? WORKING_TIME,
      facts: row.facts ?? {},
    });

    const score = scoreIncident({ incident, enrichment: { ...row.enrichment, errors: [] }, config: deps.config });

    expect(score.value).toBe(row.value);
    expect(score.priority).toBe(row.priority);
    expect(score.factors.map((factor) => factor.id)).toEqual(row.factors);
  });

  it("explains each factor in plain words", () => {
    const deps = makeDeps();
    const incident = makeIncident({
      detection: "impossible-travel",
      time: SATURDAY_NIGHT,
      facts: { distanceKm: 8120.4, speedKmh: 4060.2 },
    });

    const score = scoreIncident({
      incident,
      enrichment: { principal: { type: "iam-user", priorIncidents: 1 }, errors: [] },
      config: deps.config,
    });

    expect(score.factors.map((factor) => factor.label)).toEqual([
      "Base: high severity (impossible-travel)",
      "Impossible travel (8,120 km at 4,060 km/h)",
      "Repeat: 1 earlier incident in 30 days",
      "Outside working hours (Sat 03:12 UTC)",
    ]);
  });

  it("uses the configured weights and thresholds", () => {
    const deps = makeDeps({
      config: {
        scoring: {
          weights: { severity: { high: 20 }, production: 50, offHours: 0 },
          priorities: { P1: 90, P2: 65, P3: 50 },
        },
      },
    });
    const incident = makeIncident({ time: SATURDAY_NIGHT });

    const score = scoreIncident({ incident, enrichment: { resource: sg(true), errors: [] }, config: deps.config });

    expect(score).toMatchObject({ value: 70, priority: "P2" });
    expect(score.factors.map((factor) => factor.id)).toEqual(["severity", "production"]);
  });

  it("detects impossible travel from measured facts on other detections", () => {
    const deps = makeDeps();
    const fast = makeIncident({ detection: "access-key-anomalous-use", facts: { distanceKm: 900, speedKmh: 1200 } });
    const slow = makeIncident({ detection: "access-key-anomalous-use", facts: { distanceKm: 900, speedKmh: 300 } });

    const enrichment = { errors: [] };
    const fastIds = scoreIncident({ incident: fast, enrichment, config: deps.config }).factors.map((f) => f.id);
    const slowIds = scoreIncident({ incident: slow, enrichment, config: deps.config }).factors.map((f) => f.id);

    expect(fastIds).toContain("impossible-travel");
    expect(slowIds).not.toContain("impossible-travel");
  });
});

describe("priorityFor", () => {
  it.each([
    [100, "P1"],
    [80, "P1"],
    [79, "P2"],
    [60, "P2"],
    [59, "P3"],
    [35, "P3"],
    [34, "P4"],
    [0, "P4"],
  ] as const)("%d → %s", (value, priority) => {
    expect(priorityFor(value, { P1: 80, P2: 60, P3: 35 })).toBe(priority);
  });
});

describe("isOffHours", () => {
  const hours = { start: 8, end: 19, timezone: "Europe/Paris", days: [1, 2, 3, 4, 5] };

  it.each([
    ["2026-03-10T07:30:00Z", false, "08:30 in Paris on a Tuesday"],
    ["2026-03-10T06:30:00Z", true, "07:30 in Paris, before work"],
    ["2026-03-10T18:00:00Z", true, "19:00 in Paris, the end hour is excluded"],
    ["2026-03-14T10:00:00Z", true, "a Saturday"],
    ["not a time", false, "an unreadable time is not evidence"],
  ])("%s → %s (%s)", (time, expected) => {
    expect(isOffHours(new Date(time), hours)).toBe(expected);
  });

  it("handles a working window that wraps past midnight", () => {
    const night = { start: 22, end: 6, timezone: "UTC", days: [0, 1, 2, 3, 4, 5, 6] };

    expect(isOffHours(new Date("2026-03-10T23:00:00Z"), night)).toBe(false);
    expect(isOffHours(new Date("2026-03-10T12:00:00Z"), night)).toBe(true);
  });
});
