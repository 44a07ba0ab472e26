import type { Category, Severity } from "./catalog.js";
import type { ExceptionRecord, ExceptionScope } from "./exception.js";
import type { ExecutionSummary, HistoryEvent } from "./history.js";
import type { Incident, IncidentSummary } from "./incident.js";
import type { IncidentStatus } from "./status.js";

/**
 * The dashboard REST API's response shapes, served by `riposte serve` and by the api function on
 * AWS alike. All routes need `Authorization: Bearer <token>` except /api/health.
 *
 *   GET  /api/health                          → HealthResponse
 *   GET  /api/incidents?status=&category=&severity=&since=&until=&q=&limit=&cursor=
 *                                             → IncidentListResponse
 *   GET  /api/incidents/:id                   → IncidentDetailResponse
 *   POST /api/incidents/:id/approval          ← ApprovalRequest → ApprovalResponse
 *   GET  /api/incidents/:id/audit?format=json|csv
 *   GET  /api/stats                           → StatsResponse
 *   GET  /api/exceptions?active=true          → ExceptionListResponse
 *   POST /api/exceptions                      ← ExceptionCreateRequest → ExceptionRecord (201)
 *   POST /api/events                          → EventsAcceptedResponse (202)
 *   WS   /ws?token=…                          → LiveMessage stream (see messages.ts)
 */

/** What anyone may know of the intake: numbers only, no names, paths or error text. */
export interface HealthCounts {
  /** Events accepted and not yet through detection. */
  pendingEvents: number;
  /** Findings waiting for their workflow to start. */
  queuedFindings: number;
  /** Events set aside because detection kept failing on them. */
  deadLetteredEvents: number;
  /** Findings set aside because their workflow can never start (input too large or invalid). */
  deadLetteredFindings: number;
  /** Live event sources, and how many of them report an error. */
  sources: number;
  failingSources: number;
}

/** A finding set aside because its workflow can never start. */
export interface DeadLetterSummary {
  incidentId: string;
  detection: string;
  failedAt: string;
  reason: string;
}

/**
 * Without a valid token: status, version, start time, mode and `counts`. With one, also each
 * source by name (with its error) and the latest dead-lettered findings with their reasons.
 */
export interface HealthResponse {
  status: "ok" | "degraded";
  version: string;
  startedAt: string;
  remediation: "dry-run" | "live" | "off";
  counts?: HealthCounts;
  /** Per event source: how far behind it is (token holders only). */
  sources?: { name: string; lagSeconds?: number; lastEventAt?: string; error?: string }[];
  /** The most recently dead-lettered findings, newest first (token holders only). */
  deadLetters?: DeadLetterSummary[];
}

export interface IncidentListResponse {
  items: IncidentSummary[];
  nextCursor?: string;
}

export interface IncidentAuditEntry {
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

export interface IncidentDetailResponse {
  incident: Incident;
  audit: IncidentAuditEntry[];
  execution?: ExecutionSummary & {
    history: HistoryEvent[];
    /** The state machine definition (ASL), for drawing the graph. */
    definition?: unknown;
  };
}

export interface ExceptionListResponse {
  items: ExceptionRecord[];
}

/** A time-boxed exception from the dashboard; the caller (an approver) becomes its creator and default owner. */
export interface ExceptionCreateRequest {
  detection: string;
  scope: ExceptionScope;
  owner?: string;
  reason: string;
  expiresAt: string;
  incidentId?: string;
}

export interface ApprovalRequest {
  decision: "approve" | "reject";
  comment?: string;
}

export interface ApprovalResponse {
  incidentId: string;
  decision: "approve" | "reject";
  approver: string;
  at: string;
}

export interface CountBy<K extends string> {
  key: K;
  count: number;
}

export interface StatsResponse {
  total: number;
  byStatus: CountBy<IncidentStatus>[];
  byCategory: CountBy<Category>[];
  bySeverity: CountBy<Severity>[];
  /** Seconds from creation to the final status, over incidents that reached one. */
  timeToRespond: { mean?: number; p90?: number; count: number };
  /** Incidents created per time bucket (ISO start of bucket). */
  overTime: { bucket: string; count: number }[];
  topPrincipals: { key: string; count: number }[];
  topResources: { key: string; count: number }[];
}

export interface EventsAcceptedResponse {
  accepted: number;
  rejected: number;
  errors: { index: number; error: string }[];
}

export interface ApiError {
  error: string;
  /** Per-field problems for a bad body. */
  issues?: string[];
}
