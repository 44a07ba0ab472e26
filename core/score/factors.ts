import type { RiposteConfig } from "../config/schema.js";
import type { Enrichment, ScoreFactor } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import { describeLocalTime, isOffHours } from "./off-hours.js";

export interface ScoringInput {
  incident: WorkingIncident;
  enrichment: Enrichment;
  config: RiposteConfig;
}

/** Stable factor ids (the dashboard and Slack show them; tests and users filter on them). */
export const FACTOR_IDS = [
  "severity",
  "production",
  "new-ip",
  "new-asn",
  "new-device",
  "impossible-travel",
  "root",
  "repeat-offence",
  "trusted-cidr",
  "off-hours",
] as const;
export type FactorId = (typeof FACTOR_IDS)[number];

const number = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

/** Travel facts the impossible-travel / anomalous-key detections attach, when they do. */
function travelOf(incident: WorkingIncident, config: RiposteConfig): { impossible: boolean; label: string } {
  const facts = incident.facts;
  const speed = number(facts.speedKmh);
  const distance = number(facts.distanceKm);
  const limits = config.thresholds.impossibleTravel;
  const measured = speed !== undefined && distance !== undefined;
  const impossible =
    incident.detection === "impossible-travel" ||
    facts.impossibleTravel === true ||
    (measured && speed > limits.speedKmh && distance >= limits.minDistanceKm);
  const detail = measured
    ? ` (${Math.round(distance).toLocaleString("en")} km at ${Math.round(speed).toLocaleString("en")} km/h)`
    : "";
  return { impossible, label: `Impossible travel${detail}` };
}

/**
 * The score's factors, each with its points from `config.scoring.weights`. The base is the
 * detection's severity; every other factor is present only when it applies (and has a weight).
 */
export function scoreFactors({ incident, enrichment, config }: ScoringInput): ScoreFactor[] {
  const weights = config.scoring.weights;
  const factors: ScoreFactor[] = [
    {
      id: "severity",
      label: `Base: ${incident.severity} severity (${incident.detection})`,
      points: weights.severity[incident.severity],
    },
  ];
  const add = (id: FactorId, applies: boolean | undefined, points: number, label: string) => {
    if (applies && points !== 0) factors.push({ id, label, points });
  };
  const principal = enrichment.principal;
  const resource = enrichment.resource;
  const travel = travelOf(incident, config);
  const prior = principal?.priorIncidents ?? 0;
  const time = new Date(incident.time);

  add("production", resource?.production, weights.production, `Production-tagged ${resource?.type ?? "resource"}`);
  add("new-ip", principal?.newIp, weights.newIp, "Source address never seen for this principal");
  add("new-asn", principal?.newAsn, weights.newAsn, "Network (AS) never seen for this principal");
  add("new-device", principal?.newDevice, weights.newDevice, "Device (user agent) never seen for this principal");
  add("impossible-travel", travel.impossible, weights.impossibleTravel, travel.label);
  add("root", principal?.type === "root", weights.root, "Root account");
  add(
    "repeat-offence",
    prior > 0,
    weights.repeatOffence,
    `Repeat: ${prior} earlier incident${prior === 1 ? "" : "s"} in ${config.scoring.repeatLookbackDays} days`,
  );
  add("trusted-cidr", enrichment.source?.trusted, weights.trustedCidr, "Source in a trusted network");
  add(
    "off-hours",
    isOffHours(time, config.scoring.workingHours),
    weights.offHours,
    `Outside working hours (${Number.isNaN(time.getTime()) ? "?" : describeLocalTime(time, config.scoring.workingHours.timezone)})`,
  );
  return factors;
}
