import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput, RiposteConfig } from "../../core/config/schema.js";
import { type Category, categoryOf, type DetectionId, isDetectionId } from "../../core/model/catalog.js";
import type { Enrichment, Score } from "../../core/model/incident.js";
import type { WorkingIncident } from "../../core/model/tasks.js";

/** Builders for remediation tests: an incident of a detection with its facts, config, scores. */

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const INCIDENT_TIME = "2026-03-02T10:00:00Z";

export function config(input: ConfigInput = {}): RiposteConfig {
  return parseConfig(input);
}

export function incident(
  detection: DetectionId,
  facts: Record<string, unknown>,
  overrides: Partial<WorkingIncident> = {},
): WorkingIncident {
  return {
    id: `inc-${detection}`,
    detection,
    category: categoryOf(detection),
    severity: "high",
    title: `test ${detection}`,
    time: INCIDENT_TIME,
    eventIds: ["evt-1"],
    account: ACCOUNT,
    region: REGION,
    principal: `arn:aws:iam::${ACCOUNT}:user/mallory`,
    resource: "",
    summary: "test incident",
    facts,
    status: "TRIAGED",
    version: 1,
    createdAt: INCIDENT_TIME,
    updatedAt: INCIDENT_TIME,
    mode: "dry-run",
    actions: [],
    approvals: [],
    transitions: [],
    ...overrides,
  };
}

/**
 * An incident of a detection that may not be in this branch's catalog yet (the detections of
 * issue 15 are declared elsewhere): the actions read only its facts, account and region, so the
 * category is given here rather than looked up.
 */
export function declaredIncident(
  detection: string,
  category: Category,
  facts: Record<string, unknown>,
  overrides: Partial<WorkingIncident> = {},
): WorkingIncident {
  if (isDetectionId(detection)) return incident(detection, facts, overrides);
  return {
    ...incident("guardduty-finding", facts),
    id: `inc-${detection}`,
    detection: detection as DetectionId,
    category,
    title: `test ${detection}`,
    ...overrides,
  };
}

export function score(value: number): Score {
  return { value, priority: value >= 80 ? "P1" : value >= 60 ? "P2" : value >= 35 ? "P3" : "P4", factors: [] };
}

export function enrichment(resource?: Partial<NonNullable<Enrichment["resource"]>>): Enrichment {
  if (!resource) return { errors: [] };
  return {
    errors: [],
    resource: { type: "test", id: "r-1", tags: {}, production: false, protected: false, ...resource },
  };
}

/** A world-open SSH rule on a group, as a network detection records it. */
export function sshOpenFacts(ruleId?: string): Record<string, unknown> {
  return {
    groupId: "sg-0123456789abcdef0",
    rules: [{ ...(ruleId ? { ruleId } : {}), ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
    riskyPorts: [22],
  };
}
