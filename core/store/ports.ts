import type { Category, Severity } from "../model/catalog.js";
import type { ExceptionRecord } from "../model/exception.js";
import type { ExecutionStatus, HistoryEvent } from "../model/history.js";
import type { Incident, IncidentSummary } from "../model/incident.js";
import type { IncidentStatus } from "../model/status.js";
import type { ApprovalResult } from "../model/tasks.js";

/**
 * The repository interface both runtimes share. Implementations: memory (tests), SQLite (the
 * one-machine runtime) and DynamoDB (AWS). Every implementation passes the same contract suite.
 */

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface IncidentQuery {
  status?: IncidentStatus[];
  category?: Category[];
  severity?: Severity[];
  /** ISO 8601 bounds on `createdAt` (inclusive). */
  since?: string;
  until?: string;
  /** Exact resource (group id, bucket…), e.g. to find the incidents a later event resolves. */
  resource?: string;
  /** Exact principal (ARN or name as the finding reports it), e.g. for a principal's history. */
  principal?: string;
  /** Case-insensitive substring of title, summary, principal, resource or source IP. */
  text?: string;
  limit?: number;
  cursor?: string;
}

/** Fields other than status that tasks add to an incident. */
export type IncidentPatch = Partial<
  Pick<
    Incident,
    | "enrichment"
    | "score"
    | "decision"
    | "actions"
    | "verification"
    | "approvals"
    | "executionArn"
    | "resolvedBy"
    | "facts"
    | "notifications"
    | "suppressedBy"
  >
>;

export interface TransitionMeta {
  at: string;
  by: string;
  reason?: string;
}

export interface AuditEntry {
  incidentId: string;
  at: string;
  /** Who: a task name, an approver, `system`. */
  actor: string;
  /** What: `status.changed`, `approval.decided`, `action.applied`, `notify.failed`… */
  action: string;
  detail?: Record<string, unknown>;
}

/** An audit entry that goes with an incident's write (the incident's id is the write's). */
export type AuditDraft = Omit<AuditEntry, "incidentId">;

export interface PendingApproval {
  id: string;
  incidentId: string;
  /** Step Functions task token; never leaves the server. */
  taskToken: string;
  createdAt: string;
  expiresAt: string;
  status: "pending" | "approved" | "rejected" | "expired";
  result?: ApprovalResult;
  /** How it was decided (set with a decision for the workflow). */
  via?: "slack" | "dashboard" | "riposte";
  /**
   * The resume record: the decision still has to reach the waiting workflow. Written in the same
   * conditional write as the decision (`decideApproval(…, { resume: true })`), so no crash can
   * leave a decision that nobody delivers; cleared by `clearApprovalResume` once the workflow has
   * taken it.
   */
  resumePending?: boolean;
}

export type StoreChange =
  | { type: "incident.created"; incident: Incident }
  | { type: "incident.changed"; incident: Incident; previousStatus: IncidentStatus };

export type ChangeListener = (change: StoreChange) => void;

export interface IncidentStore {
  /**
   * Store a new incident; idempotent on `id` (a duplicate returns the stored one, created=false).
   * `audit` is appended only when it is created, as for `transition`.
   */
  createIncident(incident: Incident, audit?: AuditDraft): Promise<{ incident: Incident; created: boolean }>;
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(query?: IncidentQuery): Promise<Page<IncidentSummary>>;
  /**
   * Move an incident to `to` with a conditional write: applied only when the move is allowed by
   * `canTransition` (statuses never regress); `patch` is written in the same write. `audit` is
   * appended only when the move is applied: in the same transaction (SQLite, memory; one commit
   * instead of two), or right after the move (DynamoDB, as a separate `appendAudit` would).
   */
  transition(
    id: string,
    to: IncidentStatus,
    meta: TransitionMeta,
    patch?: IncidentPatch,
    audit?: AuditDraft,
  ): Promise<{ incident: Incident; applied: boolean }>;
  /** Merge non-status fields; bumps `version`. `audit` is appended with it, as for `transition`. */
  patchIncident(id: string, patch: IncidentPatch, audit?: AuditDraft): Promise<Incident>;
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(incidentId: string): Promise<AuditEntry[]>;
}

/** A decision for the waiting workflow: `resume` writes the resume record, `via` says how it came. */
export interface DecideOptions {
  resume?: boolean;
  via?: PendingApproval["via"];
}

export interface ApprovalStore {
  putApproval(approval: PendingApproval): Promise<void>;
  getApproval(id: string): Promise<PendingApproval | undefined>;
  /**
   * Decide a pending approval exactly once; `applied` is false when it was already decided.
   * `resume`: the decision is for the waiting workflow, so a resume record (`resumePending`) is
   * written with it, atomically (one transaction in SQLite, one conditional item write in DynamoDB).
   */
  decideApproval(
    id: string,
    status: Exclude<PendingApproval["status"], "pending">,
    result: ApprovalResult,
    options?: DecideOptions,
  ): Promise<{ approval: PendingApproval; applied: boolean }>;
  listPendingApprovals(): Promise<PendingApproval[]>;
  /** Decided approvals whose resume record is still there (oldest first). */
  listApprovalsToResume(): Promise<PendingApproval[]>;
  /**
   * The workflow has taken the decision: drop the resume record (idempotent). What "taken"
   * means is the runtime's: on AWS, Step Functions accepted SendTaskSuccess (it keeps the
   * decision durably from then on); locally, the interpreter wrote it to the execution's
   * checkpoint (`TaskCallbacks.callbackTaken`); on either, the task is gone and nothing waits.
   */
  clearApprovalResume(id: string): Promise<void>;
}

/** The audit key of an exception's own trail (created, expired): its entries sit beside incidents'. */
export const exceptionAuditKey = (exceptionId: string) => `exception:${exceptionId}`;

/** Time-boxed exceptions (`core/exceptions/`): created by approvers, never edited, kept after expiry. */
export interface ExceptionStore {
  /** Store a new exception; idempotent on `id` (a duplicate returns the stored one, created=false). */
  putException(exception: ExceptionRecord): Promise<{ exception: ExceptionRecord; created: boolean }>;
  getException(id: string): Promise<ExceptionRecord | undefined>;
  /** Every stored exception, the latest expiry first; `activeAt`: only those holding at that ISO time. */
  listExceptions(filter?: { activeAt?: string }): Promise<ExceptionRecord[]>;
  /**
   * Record that the exception's expiry was announced, once: `applied` is false when it already
   * was (two sweeps never announce it twice) and when the exception does not exist.
   */
  markExceptionAnnounced(id: string, at: string): Promise<{ applied: boolean }>;
}

/** The change stream: every incident write emits one change, after it is durable. */
export interface ChangeStream {
  subscribe(listener: ChangeListener): () => void;
}

export type RiposteStore = IncidentStore & ApprovalStore & ExceptionStore & ChangeStream;

/** An execution of the local Step Functions interpreter, persisted so it survives restarts. */
export interface StoredExecution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  incidentId?: string;
  /** The interpreter's resumable state (opaque JSON): where it is, variables, pending tokens. */
  checkpoint?: unknown;
}

/** Local-only: on AWS, Step Functions keeps executions and their history itself. */
export interface ExecutionStore {
  /** Insert or replace an execution record. */
  putExecution(execution: StoredExecution): Promise<void>;
  getExecution(executionArn: string): Promise<StoredExecution | undefined>;
  listExecutions(filter?: { status?: ExecutionStatus }): Promise<StoredExecution[]>;
  appendHistory(executionArn: string, events: HistoryEvent[]): Promise<void>;
  getHistory(executionArn: string): Promise<HistoryEvent[]>;
  /**
   * `putExecution` then `appendHistory` as one write (one transaction, one commit), where the
   * store can: the interpreter saves each step's checkpoint and history through it when present.
   */
  saveProgress?(execution: StoredExecution, events: HistoryEvent[]): Promise<void>;
}

// The runtime's other ports: what remediation and the workflows need from where they run.

/**
 * The circuit breaker's ledger (`remediation/breaker.ts`): the changes made, and the
 * self-expiring ones (temporary deny policies) until the sweep removes them.
 */
export interface LedgerEntry {
  /** Stable per incident, action and target, so a retried task never counts twice. */
  id: string;
  /** When the change was admitted (ISO 8601). */
  at: string;
  action: string;
  target: string;
  incidentId: string;
  /** For changes that expire (temporary denies): when to clean up after them. */
  expiresAt?: string;
  /** Data the cleanup needs (the user name of a temporary deny). */
  detail?: Record<string, string>;
}

/** ISO times in one form (`…:00.000Z`), so ledgers can compare them as text. */
export function normalizeTime(iso: string): string {
  return new Date(iso).toISOString();
}

/** The ledger port; implementations: memory (`memory-ledger.ts`, also the fallback), SQLite and DynamoDB (`<backend>/ledger.ts`). */
export interface ActionLedger {
  /**
   * Atomically: when `entry.id` is already recorded, allow it again; else, when fewer than `max`
   * entries are newer than `since`, record it and allow it; else refuse it. `count` is the number
   * of entries in the window (this one included when recorded).
   */
  reserve(entry: LedgerEntry, limit: { since: string; max: number }): Promise<{ allowed: boolean; count: number }>;
  /** Record unconditionally (approved changes), idempotent on `id`. */
  record(entry: LedgerEntry): Promise<void>;
  /** Set or replace an entry's expiry (once the change is known to have been made). */
  setExpiry(id: string, expiresAt: string, detail?: Record<string, string>): Promise<void>;
  /** Entries whose `expiresAt` is at or before `at` and that are not cleared yet. */
  due(at: string): Promise<LedgerEntry[]>;
  /** Mark an expiring entry as cleaned up. */
  clear(id: string): Promise<void>;
}

/** Completes `.waitForTaskToken` tasks: AWS Step Functions on AWS, the interpreter locally. */
export interface TaskCallbacks {
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
  /**
   * Resolves once the execution has durably taken the callback sent for `taskToken` (a restart
   * continues with it); rejects when it never will (the task ended first). Absent where the
   * send itself is durable: AWS Step Functions stores an accepted SendTaskSuccess before it answers.
   */
  callbackTaken?(taskToken: string): Promise<void>;
}

/** Starts a category's workflow; `name` is the incident id, so duplicates cannot start twice. */
export interface WorkflowStarter {
  start(category: Category, name: string, input: unknown): Promise<{ executionArn: string; started: boolean }>;
}

/** What the detections' sign-in baselines held for a principal at one moment. */
export interface PrincipalBaseline {
  /** The earliest sign-in still in the baseline (ISO), when every member's time is known. */
  firstSeen?: string;
  /** Addresses of earlier successful console sign-ins. */
  knownIps: string[];
  /** User agents of earlier successful console sign-ins. */
  knownDevices: string[];
}

/** Read-only access to the per-principal baselines the stateful detections keep (`enrich/baselines.ts`). */
export interface PrincipalBaselines {
  /**
   * The baseline of `principal` in `account` as it was just before `time` (epoch ms, the
   * incident's event time): the detection may already have added that event itself, and what
   * the event brought is not "known".
   */
  before(account: string, principal: string, time: number): Promise<PrincipalBaseline>;
}
