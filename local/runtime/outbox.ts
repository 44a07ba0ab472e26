import { incidentIdFor } from "../../core/incidents/id.js";
import type { Finding } from "../../core/model/incident.js";
import type { DetectionDatabase } from "./detection-db.js";

/**
 * Findings whose workflow has not been started yet. They are written in the same transaction as
 * the events that produced them, and removed once the execution exists (its name is the incident
 * id, so starting twice after a crash starts nothing the second time).
 */
export class FindingOutbox {
  private readonly statements;

  constructor(
    db: DetectionDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      put: db.prepare("INSERT OR IGNORE INTO outbox (incident_id, created_at, body) VALUES (?, ?, ?)"),
      list: db.prepare<[], { incident_id: string; body: string }>(
        "SELECT incident_id, body FROM outbox ORDER BY created_at, rowid",
      ),
      remove: db.prepare("DELETE FROM outbox WHERE incident_id = ?"),
      count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox"),
    };
  }

  /** Queue findings (call inside the detection transaction); duplicates of a queued one are ignored. */
  put(findings: readonly Finding[]): void {
    const at = this.now();
    for (const finding of findings) this.statements.put.run(incidentIdFor(finding), at, JSON.stringify(finding));
  }

  list(): { incidentId: string; finding: Finding }[] {
    return this.statements.list.all().map((row) => ({
      incidentId: row.incident_id,
      finding: JSON.parse(row.body) as Finding,
    }));
  }

  remove(incidentId: string): void {
    this.statements.remove.run(incidentId);
  }

  size(): number {
    return this.statements.count.get()?.n ?? 0;
  }
}
