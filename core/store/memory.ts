import { NotFound } from "../errors.js";
import type { Logger } from "../log.js";
import type { ExceptionRecord } from "../model/exception.js";
import type { Incident } from "../model/incident.js";
import type { ApprovalResult } from "../model/tasks.js";
import { compareNewestFirst, decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
import { ChangeEmitter } from "./emitter.js";
import { pageLimit } from "./limits.js";
import type {
  AuditDraft,
  AuditEntry,
  ChangeListener,
  DecideOptions,
  IncidentPatch,
  IncidentQuery,
  Page,
  PendingApproval,
  RiposteStore,
  TransitionMeta,
} from "./ports.js";
import { matchesQuery, summarize } from "./summary.js";
import { applyPatch, applyTransition, decidedApproval, listedExceptions } from "./writes.js";

/** An in-memory store for tests and library use; same contract as SQLite and DynamoDB. */
export class MemoryStore implements RiposteStore {
  private readonly incidents = new Map<string, Incident>();
  private readonly audit = new Map<string, AuditEntry[]>();
  private readonly approvals = new Map<string, PendingApproval>();
  private readonly exceptions = new Map<string, ExceptionRecord>();
  private readonly changes: ChangeEmitter;

  constructor(options: { logger?: Logger } = {}) {
    this.changes = new ChangeEmitter(options.logger);
  }

  subscribe(listener: ChangeListener): () => void {
    return this.changes.subscribe(listener);
  }

  async createIncident(incident: Incident, audit?: AuditDraft) {
    const existing = this.incidents.get(incident.id);
    if (existing) return { incident: structuredClone(existing), created: false };
    const stored = structuredClone(incident);
    this.incidents.set(stored.id, stored);
    if (audit) this.addAudit({ ...audit, incidentId: stored.id });
    this.changes.emit({ type: "incident.created", incident: stored });
    return { incident: structuredClone(stored), created: true };
  }

  async getIncident(id: string) {
    const incident = this.incidents.get(id);
    return incident ? structuredClone(incident) : undefined;
  }

  async listIncidents(query: IncidentQuery = {}) {
    const limit = pageLimit(query.limit);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const matching = [...this.incidents.values()]
      .filter((incident) => !after || isAfterCursor(incident, after))
      .filter((incident) => matchesQuery({ ...summarize(incident), summary: incident.summary }, query))
      .sort(compareNewestFirst);
    const items = matching.slice(0, limit).map(summarize);
    const last = items.at(-1);
    const page: Page<(typeof items)[number]> = { items };
    if (matching.length > limit && last) page.nextCursor = encodeCursor(last);
    return page;
  }

  private mustGet(id: string): Incident {
    const incident = this.incidents.get(id);
    if (!incident) throw new NotFound(`incident ${id} does not exist`);
    return incident;
  }

  async transition(
    id: string,
    to: Incident["status"],
    meta: TransitionMeta,
    patch: IncidentPatch = {},
    audit?: AuditDraft,
  ) {
    const current = this.mustGet(id);
    const next = applyTransition(current, to, meta, patch);
    if (!next) return { incident: structuredClone(current), applied: false };
    this.incidents.set(id, next);
    if (audit) this.addAudit({ ...audit, incidentId: id });
    this.changes.emit({ type: "incident.changed", incident: next, previousStatus: current.status });
    return { incident: structuredClone(next), applied: true };
  }

  async patchIncident(id: string, patch: IncidentPatch, audit?: AuditDraft) {
    const current = this.mustGet(id);
    const next = applyPatch(current, patch);
    this.incidents.set(id, next);
    if (audit) this.addAudit({ ...audit, incidentId: id });
    this.changes.emit({ type: "incident.changed", incident: next, previousStatus: current.status });
    return structuredClone(next);
  }

  async appendAudit(entry: AuditEntry) {
    this.addAudit(entry);
  }

  private addAudit(entry: AuditEntry): void {
    const entries = this.audit.get(entry.incidentId) ?? [];
    entries.push(structuredClone(entry));
    this.audit.set(entry.incidentId, entries);
  }

  /** Oldest first; entries with the same time keep the order they were appended in. */
  async listAudit(incidentId: string) {
    const entries = structuredClone(this.audit.get(incidentId) ?? []);
    return entries
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => (a.entry.at === b.entry.at ? a.index - b.index : a.entry.at < b.entry.at ? -1 : 1))
      .map(({ entry }) => entry);
  }

  async putApproval(approval: PendingApproval) {
    this.approvals.set(approval.id, structuredClone(approval));
  }

  async getApproval(id: string) {
    const approval = this.approvals.get(id);
    return approval ? structuredClone(approval) : undefined;
  }

  async decideApproval(
    id: string,
    status: Exclude<PendingApproval["status"], "pending">,
    result: ApprovalResult,
    options: DecideOptions = {},
  ) {
    const approval = this.approvals.get(id);
    if (!approval) throw new NotFound(`approval ${id} does not exist`);
    if (approval.status !== "pending") return { approval: structuredClone(approval), applied: false };
    const decided = decidedApproval(approval, status, result, options);
    this.approvals.set(id, decided);
    return { approval: structuredClone(decided), applied: true };
  }

  async listPendingApprovals() {
    return this.approvalsWhere((approval) => approval.status === "pending");
  }

  async listApprovalsToResume() {
    return this.approvalsWhere((approval) => approval.resumePending === true);
  }

  async clearApprovalResume(id: string) {
    const approval = this.approvals.get(id);
    if (approval) delete approval.resumePending;
  }

  async putException(exception: ExceptionRecord) {
    const existing = this.exceptions.get(exception.id);
    if (existing) return { exception: structuredClone(existing), created: false };
    this.exceptions.set(exception.id, structuredClone(exception));
    return { exception: structuredClone(exception), created: true };
  }

  async getException(id: string) {
    const exception = this.exceptions.get(id);
    return exception ? structuredClone(exception) : undefined;
  }

  async listExceptions(filter: { activeAt?: string } = {}) {
    return listedExceptions(structuredClone([...this.exceptions.values()]), filter);
  }

  async markExceptionAnnounced(id: string, at: string) {
    const exception = this.exceptions.get(id);
    if (!exception || exception.expiryAnnouncedAt) return { applied: false };
    exception.expiryAnnouncedAt = at;
    return { applied: true };
  }

  private approvalsWhere(keep: (approval: PendingApproval) => boolean) {
    return [...this.approvals.values()]
      .filter(keep)
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .map((approval) => structuredClone(approval));
  }
}
