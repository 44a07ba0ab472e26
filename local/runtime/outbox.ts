import { incidentIdFor } from "../../core/incidents/id.js";
import type { Finding } from "../../core/model/incident.js";
import type { DetectionDatabase } from "./detection-db.js";

/**
 * Findings whose workflow has not been started yet. They are written in the same transaction as
 * the events that produced them, and removed once the execution exists (its name is the incident
 * id, so starting twice after a crash starts nothing the second time). A finding whose workflow
 * can never start is dead-lettered: it stays, with the reason, but is no longer queued.
 */

export interface DeadLetteredFinding {
  incidentId: string;
  detection: string;
  failedAt: number;
  reason: string;
}

export class FindingOutbox {
  private readonly statements;
  private readonly removeAll;

  constructor(
    db: DetectionDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      put: db.prepare("INSERT OR IGNORE INTO outbox (incident_id, created_at, body) VALUES (?, ?, ?)"),
      list: db.prepare<[], { incident_id: string; body: string }>(
        "SELECT incident_id, body FROM outbox WHERE error IS NULL ORDER BY created_at, rowid",
      ),
      remove: db.prepare("DELETE FROM outbox WHERE incident_id = ?"),
      count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE error IS NULL"),
      deadLetter: db.prepare("UPDATE outbox SET failed_at = ?, error = ? WHERE incident_id = ?"),
      deadCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE error IS NOT NULL"),
      deadList: db.prepare<[number], { incident_id: string; failed_at: number; error: string; body: string }>(
        "SELECT incident_id, failed_at, error, body FROM outbox WHERE error IS NOT NULL ORDER BY failed_at DESC, rowid DESC LIMIT ?",
      ),
    };
    this.removeAll = db.transaction((incidentIds: readonly string[]) => {
      for (const incidentId of incidentIds) this.statements.remove.run(incidentId);
    });
  }

  /** Queue findings (call inside the detection transaction); duplicates of a queued one are ignored. */
  put(findings: readonly Finding[]): void {
    const at = this.now();
    for (const finding of findings) this.statements.put.run(incidentIdFor(finding), at, JSON.stringify(finding));
  }

  /** The queued findings, oldest first (dead-lettered ones are not queued). */
  list(): { incidentId: string; finding: Finding }[] {
    return this.statements.list.all().map((row) => ({
      incidentId: row.incident_id,
      finding: JSON.parse(row.body) as Finding,
    }));
  }

  /**
   * Forget findings whose executions exist (one commit). Call only once those executions survive
   * a power cut (the store's sync point): the two files are fsynced apart, and a finding removed
   * here but whose execution a power cut took would be lost.
   */
  remove(incidentIds: readonly string[]): void {
    this.removeAll.immediate(incidentIds);
  }

  /** Set a finding aside because its workflow can never start; it keeps its body. */
  deadLetter(incidentId: string, reason: string): void {
    this.statements.deadLetter.run(this.now(), reason, incidentId);
  }

  /** Findings still queued. */
  size(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  /** Findings set aside because their workflow can never start. */
  deadLettered(): number {
    return this.statements.deadCount.get()?.n ?? 0;
  }

  /** The most recently dead-lettered findings, newest first. */
  recentDeadLetters(limit: number): DeadLetteredFinding[] {
    return this.statements.deadList.all(limit).map((row) => ({
      incidentId: row.incident_id,
      detection: (JSON.parse(row.body) as Finding).detection,
      failedAt: row.failed_at,
      reason: row.error,
    }));
  }
}
