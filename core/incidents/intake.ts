import { eventIdOf } from "../detections/draft.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";

/**
 * Findings that events posted to `POST /api/events` took part in are marked `fromIntake`, so the
 * remediation policy asks a human first (see `remediation.autoRemediateIntake`). The mark is made
 * where the posted events are told apart: the local detection loop (inbox source) and the AWS
 * correlate function (intake messages).
 */

/** The inbox source `riposte serve`'s intake writes posted events under. */
export const INTAKE_SOURCE = "api";

/** The ids a finding may list an event under (its own id, and the record's event id). */
export function eventKeys(event: SecurityEvent): string[] {
  // Marking must never fail a detection batch, even for an event stored without its envelope.
  return event.envelope ? [event.id, eventIdOf(event.envelope)] : [event.id];
}

/** Findings of a posted event, every one marked. */
export function markedFromIntake(findings: readonly Finding[]): Finding[] {
  return findings.map((finding) => ({ ...finding, fromIntake: true }));
}

/** The findings, each marked when one of its events is in `intakeEventIds`. */
export function markFromIntake(findings: readonly Finding[], intakeEventIds: ReadonlySet<string>): Finding[] {
  if (intakeEventIds.size === 0) return [...findings];
  return findings.map((finding) =>
    finding.eventIds.some((id) => intakeEventIds.has(id)) ? { ...finding, fromIntake: true } : finding,
  );
}
