import { locate } from "../geo/locate.js";
import type { Enrichment, IncidentSummary } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import type { PrincipalBaseline } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import type { SourceContext } from "./source.js";

export type PrincipalHistory = Pick<
  NonNullable<Enrichment["principal"]>,
  "firstSeen" | "knownIps" | "knownDevices" | "newIp" | "newDevice" | "newAsn" | "priorIncidents"
>;

/** How many of the principal's latest incidents are read (summaries) and opened (user agents). */
const HISTORY_LIMIT = 100;
const DEVICE_LOOKUPS = 10;
/** At most this many known addresses travel with the enrichment (Step Functions payload size). */
const KNOWN_IPS_KEPT = 20;

/** A baseline the detection may have attached to the finding (`facts.baseline` or top level). */
interface Baseline {
  firstSeen?: string;
  knownIps: string[];
  knownUserAgents: string[];
  knownDeviceCount?: number;
  newIp?: boolean;
  newDevice?: boolean;
  newAsn?: boolean;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function baselineFrom(facts: Record<string, unknown>): Baseline {
  const nested = typeof facts.baseline === "object" && facts.baseline !== null ? facts.baseline : {};
  const source = { ...facts, ...(nested as Record<string, unknown>) };
  const bool = (value: unknown) => (typeof value === "boolean" ? value : undefined);
  return {
    firstSeen: typeof source.firstSeen === "string" ? source.firstSeen : undefined,
    knownIps: strings(source.knownIps),
    knownUserAgents: [...strings(source.knownUserAgents), ...strings(source.knownDevices)],
    knownDeviceCount: typeof source.knownDevices === "number" ? source.knownDevices : undefined,
    newIp: bool(source.newIp),
    newDevice: bool(source.newDevice),
    newAsn: bool(source.newAsn),
  };
}

/** The principal's other incidents, newest first (filtered here too, in case a store ignores `principal`). */
async function otherIncidents(incident: WorkingIncident, deps: TaskDeps): Promise<IncidentSummary[]> {
  const page = await deps.store.listIncidents({ principal: incident.principal, limit: HISTORY_LIMIT });
  return page.items.filter((item) => item.principal === incident.principal && item.id !== incident.id);
}

/**
 * What the newest of the other incidents knew: their user agents, and which of them came from
 * this incident's own events (another detection on the same sign-in), whose address and device
 * are this event's, not history.
 */
async function openNewest(
  incident: WorkingIncident,
  items: IncidentSummary[],
  deps: TaskDeps,
): Promise<{ userAgents: string[]; sameEvent: Set<string> }> {
  const incidents = await Promise.all(items.slice(0, DEVICE_LOOKUPS).map((item) => deps.store.getIncident(item.id)));
  const own = new Set(incident.eventIds);
  const sameEvent = new Set<string>();
  const userAgents: string[] = [];
  for (const item of incidents) {
    if (!item) continue;
    if (item.eventIds.some((id) => own.has(id))) sameEvent.add(item.id);
    else if (item.userAgent) userAgents.push(item.userAgent.trim());
  }
  return { userAgents, sameEvent };
}

function asnOf(ip: string): number | undefined {
  return locate(ip).asn;
}

/**
 * The principal's recent history, from the detections' sign-in baselines as they were before this
 * incident's event (`signIns`, when the runtime has them), the incident store (earlier incidents:
 * addresses, user agents, first appearance) and any baseline the detection attached. "New" is
 * only claimed when there is a history to compare with; an unknown principal is not "new" on
 * every axis.
 */
export async function principalHistory(
  incident: WorkingIncident,
  source: SourceContext | undefined,
  deps: TaskDeps,
  signIns?: PrincipalBaseline,
): Promise<PrincipalHistory> {
  const baseline = baselineFrom(incident.facts);
  const others = incident.principal ? await otherIncidents(incident, deps) : [];
  const lookbackStart = new Date(deps.now().getTime() - deps.config.scoring.repeatLookbackDays * 86_400_000);
  const priorIncidents = others.filter((item) => new Date(item.createdAt) >= lookbackStart).length;
  const newest = await openNewest(incident, others, deps);
  const earlier = others.filter((item) => !newest.sameEvent.has(item.id));

  const seen = [baseline.firstSeen, signIns?.firstSeen, incident.time, ...others.map((item) => item.createdAt)].filter(
    (value): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value)),
  );
  const firstSeen = seen.sort((a, b) => Date.parse(a) - Date.parse(b))[0];

  const knownIps = [
    ...new Set([
      ...baseline.knownIps,
      ...(signIns?.knownIps ?? []),
      ...earlier.flatMap((item) => (item.sourceIp ? [item.sourceIp] : [])),
    ]),
  ];
  const knownAgents = [
    ...new Set([...baseline.knownUserAgents, ...(signIns?.knownDevices ?? []), ...newest.userAgents]),
  ];

  const ip = source?.ip;
  const comparable = source !== undefined && (source.kind === "public" || source.kind === "aws") && !source.trusted;
  // The new-IP and new-device detections fire exactly when the baseline lacks the value.
  const newIp =
    baseline.newIp ??
    (incident.detection === "console-login-new-ip" ? true : undefined) ??
    (comparable && knownIps.length > 0 ? !knownIps.includes(ip as string) : undefined);
  const newAsn =
    baseline.newAsn ??
    (comparable && source.geo?.asn !== undefined && knownIps.length > 0
      ? !knownIps.some((known) => asnOf(known) === source.geo?.asn)
      : undefined);
  const agent = incident.userAgent?.trim();
  const newDevice =
    baseline.newDevice ??
    (incident.detection === "console-login-new-device" ? true : undefined) ??
    (agent && knownAgents.length > 0 ? !knownAgents.includes(agent) : undefined);

  return {
    ...(firstSeen ? { firstSeen } : {}),
    knownIps: knownIps.slice(0, KNOWN_IPS_KEPT),
    knownDevices: baseline.knownDeviceCount ?? knownAgents.length,
    ...(newIp !== undefined ? { newIp } : {}),
    ...(newDevice !== undefined ? { newDevice } : {}),
    ...(newAsn !== undefined ? { newAsn } : {}),
    priorIncidents,
  };
}
