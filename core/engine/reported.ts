import { type IncidentKey, incidentDigest } from "../incidents/id.js";

/**
 * The incidents a scan has already reported, so that a finding reported twice (the same detection
 * over the same events, e.g. from a duplicated log file) is reported once. It has to remember
 * every incident of the scan (a duplicate may come from anywhere in the input), so each is kept
 * small: the id's hash as a 10-character string, under its detection — about a quarter of the
 * memory of the id string itself.
 */
export class ReportedIncidents {
  private readonly byDetection = new Map<string, Set<string>>();
  private count = 0;

  /** Whether this is the first finding of its incident; remembers it. */
  firstOf(finding: IncidentKey): boolean {
    let digests = this.byDetection.get(finding.detection);
    if (!digests) {
      digests = new Set();
      this.byDetection.set(finding.detection, digests);
    }
    const digest = incidentDigest(finding).toString("latin1");
    if (digests.has(digest)) return false;
    digests.add(digest);
    this.count++;
    return true;
  }

  /** Incidents remembered. */
  get size(): number {
    return this.count;
  }
}
