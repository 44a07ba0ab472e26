import { createHash } from "node:crypto";
import type { Finding } from "../model/incident.js";

/** Bytes of SHA-256 an incident id keeps (80 bits: 20 hex digits). */
const DIGEST_BYTES = 10;

/** What names an incident: its detection and the events it was found in (only read). */
export interface IncidentKey {
  readonly detection: Finding["detection"];
  readonly eventIds: readonly string[];
}

/**
 * The incident id: the detection plus a hash of the event ids involved. A duplicate delivery of
 * the same events yields the same id, and the id is a valid Step Functions execution name
 * (at most 80 characters of [A-Za-z0-9-_]), so it cannot start a second execution.
 */
export function incidentIdFor(finding: IncidentKey): string {
  return `${finding.detection}-${incidentDigest(finding).toString("hex")}`;
}

/**
 * The hash part of the incident id as bytes: with the detection, it is the id (for callers that
 * keep many ids and want them small).
 */
export function incidentDigest(finding: IncidentKey): Buffer {
  return createHash("sha256")
    .update(finding.detection)
    .update("\n")
    .update([...finding.eventIds].sort().join("\n"))
    .digest()
    .subarray(0, DIGEST_BYTES);
}
