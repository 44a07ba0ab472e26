import type { Logger } from "../../log.js";
import type { ExceptionRecord } from "../../model/exception.js";
import type { Incident } from "../../model/incident.js";
import type { IncidentStatus } from "../../model/status.js";
import type { ApprovalResult } from "../../model/tasks.js";
import { ChangeEmitter } from "../emitter.js";
import type {
  AuditDraft,
  AuditEntry,
  ChangeListener,
  DecideOptions,
  ExecutionStore,
  IncidentPatch,
  IncidentQuery,
  PendingApproval,
  RiposteStore,
  StoredExecution,
  TransitionMeta,
} from "../ports.js";
import { SqliteApprovals } from "./approvals.js";
import {
  databaseFileIn,
  type OpenDatabaseOptions,
  openDatabase,
  type SqliteDatabase,
  syncPointsOf,
} from "./database.js";
import { SqliteExceptions } from "./exceptions.js";
import { SqliteExecutionStore } from "./executions.js";
import { SqliteIncidents } from "./incidents.js";
import type { SyncPoints } from "./sync-points.js";

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  /** The database file (`:memory:` for a throwaway store); or give `dataDir`. */
  file?: string;
  /** A directory; the store lives in `<dataDir>/riposte.db`. */
  dataDir?: string;
  logger?: Logger;
}

/**
 * The one-machine store: incidents, audit trail, approvals, executions and their history in one
 * SQLite file. Commits are fsynced at sync points (sync-points.ts): a change is emitted in-process
 * after the sync point that follows its commit, and what answers someone (an approval decided, an
 * exception created) resolves only then. `db` is exposed so other local components (correlation
 * state, the action ledger) can keep their tables in the same file.
 */
export class SqliteStore implements RiposteStore, ExecutionStore {
  readonly file: string;
  readonly db: SqliteDatabase;
  private readonly changes: ChangeEmitter;
  private readonly incidents: SqliteIncidents;
  private readonly approvals: SqliteApprovals;
  private readonly executions: SqliteExecutionStore;
  private readonly exceptions: SqliteExceptions;
  private readonly sync: SyncPoints;

  constructor(options: SqliteStoreOptions) {
    const file = options.file ?? (options.dataDir ? databaseFileIn(options.dataDir) : undefined);
    if (!file) throw new Error("SqliteStore needs a file or a dataDir");
    this.file = file;
    this.db = openDatabase(file, options);
    this.sync = syncPointsOf(this.db);
    this.changes = new ChangeEmitter(options.logger);
    this.incidents = new SqliteIncidents(this.db, this.changes, this.sync);
    this.approvals = new SqliteApprovals(this.db);
    this.executions = new SqliteExecutionStore(this.db);
    this.exceptions = new SqliteExceptions(this.db);
  }

  subscribe(listener: ChangeListener) {
    return this.changes.subscribe(listener);
  }

  async createIncident(incident: Incident, audit?: AuditDraft) {
    return this.incidents.create(incident, audit);
  }

  async getIncident(id: string) {
    return this.incidents.get(id);
  }

  async listIncidents(query: IncidentQuery = {}) {
    return this.incidents.list(query);
  }

  async transition(id: string, to: IncidentStatus, meta: TransitionMeta, patch?: IncidentPatch, audit?: AuditDraft) {
    return this.incidents.transition(id, to, meta, patch, audit);
  }

  async patchIncident(id: string, patch: IncidentPatch, audit?: AuditDraft) {
    return this.incidents.patch(id, patch, audit);
  }

  async appendAudit(entry: AuditEntry) {
    this.incidents.appendAudit(entry);
  }

  async listAudit(incidentId: string) {
    return this.incidents.listAudit(incidentId);
  }

  async putException(exception: ExceptionRecord) {
    const outcome = this.exceptions.put(exception);
    await this.sync.durable();
    return outcome;
  }

  async getException(id: string) {
    return this.exceptions.get(id);
  }

  async listExceptions(filter: { activeAt?: string } = {}) {
    return this.exceptions.list(filter);
  }

  async markExceptionAnnounced(id: string, at: string) {
    const outcome = this.exceptions.markAnnounced(id, at);
    await this.sync.durable();
    return outcome;
  }

  async putApproval(approval: PendingApproval) {
    this.approvals.put(approval);
    await this.sync.durable();
  }

  async getApproval(id: string) {
    return this.approvals.get(id);
  }

  async decideApproval(
    id: string,
    status: Exclude<PendingApproval["status"], "pending">,
    result: ApprovalResult,
    options: DecideOptions = {},
  ) {
    const outcome = this.approvals.decideOnce(id, status, result, options);
    await this.sync.durable();
    return outcome;
  }

  async listPendingApprovals() {
    return this.approvals.listPending();
  }

  async listApprovalsToResume() {
    return this.approvals.listToResume();
  }

  async clearApprovalResume(id: string) {
    this.approvals.clearResume(id);
    this.sync.wrote();
  }

  putExecution(execution: StoredExecution) {
    this.sync.wrote();
    return this.executions.putExecution(execution);
  }

  getExecution(executionArn: string) {
    return this.executions.getExecution(executionArn);
  }

  listExecutions(filter?: Parameters<ExecutionStore["listExecutions"]>[0]) {
    return this.executions.listExecutions(filter);
  }

  appendHistory(...args: Parameters<ExecutionStore["appendHistory"]>) {
    this.sync.wrote();
    return this.executions.appendHistory(...args);
  }

  getHistory(executionArn: string) {
    return this.executions.getHistory(executionArn);
  }

  saveProgress(...args: Parameters<NonNullable<ExecutionStore["saveProgress"]>>) {
    this.sync.wrote();
    return this.executions.saveProgress(...args);
  }

  /** Resolves once every write so far survives a power cut (a sync point). */
  durable(): Promise<void> {
    return this.sync.durable();
  }

  /** Close the database (a last sync point, then checkpointing the WAL). Further calls fail. */
  close(): void {
    if (!this.db.open) return;
    this.sync.syncNow();
    this.db.close();
  }
}

/** Open the SQLite store in a data directory (created owner-only when missing). */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
