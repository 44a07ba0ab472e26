import { NotFound } from "../../errors.js";
import type { Incident, IncidentSummary } from "../../model/incident.js";
import type { IncidentStatus } from "../../model/status.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { ChangeEmitter } from "../emitter.js";
import { pageLimit } from "../limits.js";
import type { AuditDraft, AuditEntry, IncidentPatch, IncidentQuery, Page, TransitionMeta } from "../ports.js";
import { matchesQuery, summarize } from "../summary.js";
import { applyPatch, applyTransition } from "../writes.js";
import type { SqliteDatabase } from "./database.js";
import type { SyncPoints } from "./sync-points.js";

/** What the list reads without parsing whole incidents: the summary plus the text `q` searches. */
type ListRow = IncidentSummary & { summary?: string };

interface IncidentRow {
  body: string;
}

/**
 * Incidents and their audit trail in SQLite. Reads and writes are synchronous, so each is atomic;
 * a change is emitted after the sync point that makes it survive a power cut.
 */
export class SqliteIncidents {
  private readonly insert;
  private readonly update;
  private readonly selectBody;
  private readonly insertAudit;
  private readonly selectAudit;
  /** The two write transactions, made once (better-sqlite3 builds four wrappers per `transaction` call). */
  private readonly createTransaction;
  private readonly writeTransaction;
  /** `list`'s statements by SQL text: a query's shape (its filters, a cursor or not) repeats. */
  private readonly listStatements = new Map<string, { all(...params: unknown[]): { summary: string }[] }>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly changes: ChangeEmitter,
    private readonly sync: SyncPoints,
  ) {
    this.insert = db.prepare(
      `INSERT INTO incidents (id, created_at, status, version, category, severity, resource, principal, summary, body)
       VALUES (@id, @createdAt, @status, @version, @category, @severity, @resource, @principal, @summary, @body)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.update = db.prepare(
      `UPDATE incidents SET status = @status, version = @version, summary = @summary, body = @body
       WHERE id = @id AND version = @expectedVersion`,
    );
    this.selectBody = db.prepare<[string], IncidentRow>("SELECT body FROM incidents WHERE id = ?");
    this.insertAudit = db.prepare("INSERT INTO audit (incident_id, at, body) VALUES (?, ?, ?)");
    this.selectAudit = db.prepare<[string], IncidentRow>(
      "SELECT body FROM audit WHERE incident_id = ? ORDER BY at, seq",
    );
    this.createTransaction = db.transaction((stored: Incident, audit: AuditDraft | undefined) => {
      const row = this.row(stored);
      const inserted = this.insert.run(row).changes === 1;
      if (inserted && audit) this.insertAuditEntry({ ...audit, incidentId: stored.id });
      return inserted
        ? { incident: stored, created: true, body: row.body }
        : { incident: this.read(stored.id)!, created: false, body: undefined };
    });
    this.writeTransaction = db.transaction(
      (id: string, next: (current: Incident) => Incident | undefined, audit: AuditDraft | undefined) => {
        const current = this.read(id);
        if (!current) throw new NotFound(`incident ${id} does not exist`);
        const updated = next(current);
        if (!updated) return { incident: current, applied: false, previousStatus: current.status, body: undefined };
        const row = this.row(updated);
        const written = this.update.run({ ...row, expectedVersion: current.version }).changes;
        // The immediate transaction holds the write lock, so the version cannot have moved.
        if (written !== 1) throw new Error(`incident ${id} changed during a locked write`);
        if (audit) this.insertAuditEntry({ ...audit, incidentId: id });
        return { incident: updated, applied: true, previousStatus: current.status, body: row.body };
      },
    );
  }

  private row(incident: Incident) {
    const listRow: ListRow = { ...summarize(incident), summary: incident.summary };
    return {
      id: incident.id,
      createdAt: incident.createdAt,
      status: incident.status,
      version: incident.version,
      category: incident.category,
      severity: incident.severity,
      resource: incident.resource,
      principal: incident.principal,
      summary: JSON.stringify(listRow),
      body: JSON.stringify(incident),
    };
  }

  private read(id: string): Incident | undefined {
    const row = this.selectBody.get(id);
    return row ? (JSON.parse(row.body) as Incident) : undefined;
  }

  create(incident: Incident, audit?: AuditDraft): { incident: Incident; created: boolean } {
    const stored = structuredClone(incident);
    const { body, ...outcome } = this.createTransaction.immediate(stored, audit);
    if (outcome.created && body !== undefined) {
      this.sync.afterSync(() =>
        this.changes.emit({ type: "incident.created", incident: outcome.incident }, () => ({
          type: "incident.created",
          incident: JSON.parse(body) as Incident,
        })),
      );
    }
    return outcome;
  }

  get(id: string): Incident | undefined {
    return this.read(id);
  }

  /**
   * Read, apply the shared write rule, and write back only over the version that was read; an
   * applied write's audit entry goes in the same transaction.
   */
  private write(
    id: string,
    next: (current: Incident) => Incident | undefined,
    audit?: AuditDraft,
  ): { incident: Incident; applied: boolean; previousStatus: IncidentStatus } {
    const { body, ...outcome } = this.writeTransaction.immediate(id, next, audit);
    if (outcome.applied && body !== undefined) {
      const { previousStatus } = outcome;
      // Each listener's copy parsed from the text just written: what a read would return.
      this.sync.afterSync(() =>
        this.changes.emit({ type: "incident.changed", incident: outcome.incident, previousStatus }, () => ({
          type: "incident.changed",
          incident: JSON.parse(body) as Incident,
          previousStatus,
        })),
      );
    }
    return outcome;
  }

  transition(id: string, to: IncidentStatus, meta: TransitionMeta, patch?: IncidentPatch, audit?: AuditDraft) {
    const { incident, applied } = this.write(id, (current) => applyTransition(current, to, meta, patch), audit);
    return { incident, applied };
  }

  patch(id: string, patch: IncidentPatch, audit?: AuditDraft): Incident {
    return this.write(id, (current) => applyPatch(current, patch), audit).incident;
  }

  list(query: IncidentQuery): Page<IncidentSummary> {
    const limit = pageLimit(query.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    const anyOf = (column: string, values: readonly string[] | undefined) => {
      if (!values?.length) return;
      where.push(`${column} IN (${values.map(() => "?").join(", ")})`);
      params.push(...values);
    };
    anyOf("status", query.status);
    anyOf("category", query.category);
    anyOf("severity", query.severity);
    const compare = (condition: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      params.push(value);
    };
    compare("created_at >= ?", query.since || undefined);
    compare("created_at <= ?", query.until || undefined);
    compare("resource = ?", query.resource);
    compare("principal = ?", query.principal);
    let after = query.cursor ? decodeCursor(query.cursor) : undefined;

    // SQL narrows by the indexed filters; `matchesQuery` stays the one authority (text search,
    // filters added later), so rows are read in batches until a page is full.
    // Without a text search SQL does all the filtering, so one row past the page is enough.
    const batch = query.text ? 500 : Math.min(1000, limit + 1);
    const matches: ListRow[] = [];
    while (matches.length <= limit) {
      const clauses = after ? [...where, "(created_at, id) < (?, ?)"] : where;
      const sql = `SELECT summary FROM incidents ${clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""}
        ORDER BY created_at DESC, id DESC LIMIT ${batch}`;
      const rows = this.listStatement(sql).all(...params, ...(after ? [after.createdAt, after.id] : []));
      for (const row of rows) {
        const item = JSON.parse(row.summary) as ListRow;
        if (matchesQuery(item, query)) matches.push(item);
      }
      const last = rows.at(-1);
      if (rows.length < batch || !last) break;
      const lastItem = JSON.parse(last.summary) as ListRow;
      after = { createdAt: lastItem.createdAt, id: lastItem.id };
    }
    const items = matches.slice(0, limit).map(({ summary: _text, ...item }) => item);
    const page: Page<IncidentSummary> = { items };
    const lastReturned = items.at(-1);
    if (matches.length > limit && lastReturned) page.nextCursor = encodeCursor(lastReturned);
    return page;
  }

  /** The prepared statement of `list`'s SQL (its values are parameters, so few shapes exist). */
  private listStatement(sql: string) {
    let statement = this.listStatements.get(sql);
    if (!statement) {
      // Bounded: a shape is a choice of filters, but keep a long-running server's map small anyway.
      if (this.listStatements.size >= 64) this.listStatements.clear();
      statement = this.db.prepare<unknown[], { summary: string }>(sql);
      this.listStatements.set(sql, statement);
    }
    return statement;
  }

  appendAudit(entry: AuditEntry): void {
    this.insertAuditEntry(entry);
    this.sync.wrote();
  }

  private insertAuditEntry(entry: AuditEntry): void {
    this.insertAudit.run(entry.incidentId, entry.at, JSON.stringify(entry));
  }

  listAudit(incidentId: string): AuditEntry[] {
    return this.selectAudit.all(incidentId).map((row) => JSON.parse(row.body) as AuditEntry);
  }
}
