import type { Logger } from "../log.js";
import type { ApprovalResponse, EventsAcceptedResponse, HealthResponse } from "../model/api.js";
import type { ExceptionRecord } from "../model/exception.js";
import type { ExecutionSummary, HistoryEvent } from "../model/history.js";
import type { IncidentStore } from "../store/ports.js";
import type { AuthThrottle } from "./throttle.js";

/**
 * The framework-neutral request and response the API speaks. The local server (node:http) and
 * the AWS api function (API Gateway HTTP API, payload v2) each adapt to these.
 */
export interface ApiRequest {
  method: string;
  /** The path as received (percent-encoded), without the query string. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The raw body, exactly as received. */
  body?: Uint8Array;
  /** `http` or `https`: with the `host` header, the request's own origin for the CORS check. */
  scheme: "http" | "https";
  /** The caller's network address, when the adapter knows it (keys the wrong-token throttle). */
  client?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An execution with its history and definition, for the incident page. */
export type ExecutionDetail = ExecutionSummary & { history: HistoryEvent[]; definition?: unknown };

/** Reads executions: the local interpreter's store, or Step Functions on AWS. */
export interface ExecutionReader {
  describe(executionArn: string): Promise<ExecutionDetail | undefined>;
}

/** Who may call the API: each token names its holder (the approver recorded for decisions). */
export interface ApiToken {
  token: string;
  principal: string;
}

/** What a dashboard approval hands to the approval domain (`decideApproval` bound to its deps). */
export interface DashboardDecision {
  incidentId: string;
  decision: "approve" | "reject";
  approver: string;
  comment?: string;
  via: "dashboard";
}

/** Time-boxed exceptions for the dashboard (the exceptions domain bound to its deps). */
export interface ExceptionsApi {
  /** Stored and declared, the latest expiry first; `activeAt`: only those holding then. */
  list(filter: { activeAt?: string }): Promise<ExceptionRecord[]>;
  /** Validates `request` (`ExceptionRequestSchema`), checks the approver, stores and audits it. */
  create(request: unknown, approver: string): Promise<{ exception: ExceptionRecord; created: boolean }>;
}

export interface SlackRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface SlackResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ApiLimits {
  /** Largest request body on every route but events intake. */
  maxBodyBytes: number;
  /** Largest events body (after gzip decoding when `content-encoding: gzip`). */
  maxEventsBodyBytes: number;
}

export interface ApiOptions {
  store: Pick<IncidentStore, "getIncident" | "listIncidents" | "listAudit">;
  /** Bearer tokens accepted; compared in constant time. */
  tokens: ApiToken[];
  /** Wrong tokens per client address (`ApiRequest.client`); past its limit, 429 without a check. */
  throttle?: AuthThrottle;
  health: () => HealthResponse | Promise<HealthResponse>;
  /**
   * The only tokens `POST /api/events` accepts (principal "intake"): posted events drive live
   * remediation, so a dashboard token never authorizes intake. None: intake answers 503.
   */
  intakeTokens?: ApiToken[];
  /** `POST /api/events`: normalize, detect and start workflows (wired by the runtime). */
  intake?: (body: unknown) => Promise<EventsAcceptedResponse>;
  /** `POST /api/incidents/:id/approval`. */
  decideApproval?: (decision: DashboardDecision) => Promise<ApprovalResponse>;
  executions?: ExecutionReader;
  /** `GET /api/exceptions` and `POST /api/exceptions`. */
  exceptions?: ExceptionsApi;
  /** `POST /slack/interactions`: authenticated by Slack's signature, not the bearer token. */
  slack?: (request: SlackRequest) => Promise<SlackResponse>;
  /** Browser origins allowed besides the API's own (exact `scheme://host[:port]`). */
  allowedOrigins?: string[];
  limits?: Partial<ApiLimits>;
  logger: Logger;
  now?: () => Date;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxBodyBytes: 64 * 1024,
  maxEventsBodyBytes: 5 * 1024 * 1024,
};
