import { NotFound } from "../errors.js";
import type { Incident } from "../model/incident.js";
import { canTransition } from "../model/status.js";
import type {
  ApprovalStore,
  AuditEntry,
  ChangeListener,
  ChangeStream,
  IncidentPatch,
  IncidentQuery,
  IncidentStore,
  PendingApproval,
  RiposteStore,
  StoreChange,
} from "./ports.js";
import { matchesQuery, summarize } from "./summary.js";

const DEFAULT_PAGE = 50;

/** An in-memory store for tests and library use; same contract as SQLite and DynamoDB. */
export class MemoryStore implements IncidentStore, ApprovalStore, ChangeStream, RiposteStore {
  private readonly incidents = new Map<string, Incident>();
  private readonly audit = new Map<string, AuditEntry[]>();
  private readonly approvals = new Map<string, PendingApproval>();
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(structuredClone(change));
  }

  async createIncident(incident: Incident) {
    const existing = this.incidents.get(incident.id);
    if (existing) return { incident: structuredClone(existing), created: false };
    const stored = structuredClone(incident);
    this.incidents.set(stored.id, stored);
    this.emit({ type: "incident.created", incident: stored });
    return { incident: structuredClone(stored), created: true };
  }

  async getIncident(id: string) {
    const incident = this.incidents.get(id);
    return incident ? structuredClone(incident) : undefined;
  }

  async listIncidents(query: IncidentQuery = {}) {
    const limit = query.limit ?? DEFAULT_PAGE;
    // Newest first; the cursor is the index of the next item.
    const all = [...this.incidents.values()]
      .filter((incident) => matchesQuery({ ...summarize(incident), summary: incident.summary }, query))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
      );
    const start = query.cursor ? Number.parseInt(query.cursor, 10) : 0;
    const items = all.slice(start, start + limit).map(summarize);
    const next = start + limit;
    return next < all.length ? { items, nextCursor: String(next) } : { items };
  }

  private mustGet(id: string): Incident {
    const incident = this.incidents.get(id);
    if (!incident) throw new NotFound(`incident ${id} does not exist`);
    return incident;
  }

  async transition(
    id: string,
    to: Incident["status"],
    meta: { at: string; by: string; reason?: string },
    patch: IncidentPatch = {},
  ) {
    const current = this.mustGet(id);
    if (!canTransition(current.status, to)) return { incident: structuredClone(current), applied: false };
    const previousStatus = current.status;
    const next: Incident = {
      ...current,
      ...structuredClone(patch),
      status: to,
      version: current.version + 1,
      updatedAt: meta.at,
      transitions: [
        ...current.transitions,
        { from: previousStatus, to, at: meta.at, by: meta.by, reason: meta.reason },
      ],
    };
    this.incidents.set(id, next);
    this.emit({ type: "incident.changed", incident: next, previousStatus });
    return { incident: structuredClone(next), applied: true };
  }

  async patchIncident(id: string, patch: IncidentPatch) {
    const current = this.mustGet(id);
    const next: Incident = { ...current, ...structuredClone(patch), version: current.version + 1 };
    this.incidents.set(id, next);
    this.emit({ type: "incident.changed", incident: next, previousStatus: current.status });
    return structuredClone(next);
  }

  async appendAudit(entry: AuditEntry) {
    const entries = this.audit.get(entry.incidentId) ?? [];
    entries.push(structuredClone(entry));
    this.audit.set(entry.incidentId, entries);
  }

  async listAudit(incidentId: string) {
    return structuredClone(this.audit.get(incidentId) ?? []);
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
    result: PendingApproval["result"] & {},
  ) {
    const approval = this.approvals.get(id);
    if (!approval) throw new NotFound(`approval ${id} does not exist`);
    if (approval.status !== "pending") return { approval: structuredClone(approval), applied: false };
    const decided: PendingApproval = { ...approval, status, result };
    this.approvals.set(id, decided);
    return { approval: structuredClone(decided), applied: true };
  }

  async listPendingApprovals() {
    return [...this.approvals.values()].filter((a) => a.status === "pending").map((a) => structuredClone(a));
  }
}
