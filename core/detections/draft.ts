import { isoTime, parseEventTime } from "../events/time.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding, FindingDetection } from "../model/incident.js";
import { accountOf, type Json, principalOf, sourceOf, str } from "./record.js";
import type { DetectionText, FindingDraft } from "./types.js";

/** The id a finding lists for an event: CloudTrail `eventID`, GuardDuty finding `id`, else the envelope id. */
export function eventIdOf(envelope: EventEnvelope): string {
  const detail = envelope.detail as Json;
  if (envelope.source === "aws.guardduty") return str(detail.id) || envelope.id;
  return str(detail.eventID) || envelope.id;
}

/** The event time of an envelope (its record's time when it has one), ISO. */
export function eventTimeOf(envelope: EventEnvelope): string {
  const detail = envelope.detail as Json;
  const ms = parseEventTime(detail.eventTime) ?? parseEventTime(envelope.time);
  return ms === undefined ? envelope.time : isoTime(ms);
}

/** A finding draft for one CloudTrail record (account, region, actor, source and evidence filled in). */
export function cloudTrailDraft(
  envelope: EventEnvelope,
  fields: { resource: string; summary: string; facts: Record<string, unknown>; principal?: string },
): FindingDraft {
  const record = envelope.detail as Json;
  return {
    time: eventTimeOf(envelope),
    eventIds: [eventIdOf(envelope)],
    account: accountOf(record) || envelope.account,
    region: str(record.awsRegion) || envelope.region,
    principal: fields.principal ?? principalOf(record),
    resource: fields.resource,
    summary: fields.summary,
    ...sourceOf(record),
    facts: fields.facts,
    evidence: [record],
  };
}

/** The finding: the catalog entry's identity plus the detection's draft. */
export function completeFinding(detection: DetectionText<FindingDetection>, draft: FindingDraft): Finding {
  const { severity, evidence, ...rest } = draft;
  return {
    detection: detection.id,
    category: detection.category,
    severity: severity ?? detection.severity,
    title: detection.title,
    ...rest,
    evidence: evidence ?? [],
  };
}
