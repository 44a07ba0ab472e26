import type {
  ApprovalRequest,
  ApprovalResponse,
  ExceptionCreateRequest,
  ExceptionListResponse,
  HealthResponse,
  IncidentDetailResponse,
  IncidentListResponse,
  StatsResponse,
} from "../../../core/model/api.js";
import type { ExceptionRecord } from "../../../core/model/exception.js";

/**
 * The dashboard's REST client, written against `core/model/api.ts`. Every route but health
 * carries `Authorization: Bearer <token>`; failures become named errors so pages can tell a bad
 * token from a missing incident from a server that is down.
 */

/** A failed API call; `name` is a stable code, `status` the HTTP status (0 when unreachable). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}
/** The server refused the token (401/403). */
export class ApiUnauthorized extends ApiError {
  override name = "ApiUnauthorized";
}
/** The incident (or route) does not exist. */
export class ApiNotFound extends ApiError {
  override name = "ApiNotFound";
}
/** The request conflicts with the current state, e.g. an approval already decided. */
export class ApiConflict extends ApiError {
  override name = "ApiConflict";
}
/** No answer at all: the server is down or the URL is wrong. */
export class ApiUnreachable extends ApiError {
  override name = "ApiUnreachable";
}

/** Server-side filters of `GET /api/incidents`. */
export interface IncidentListQuery {
  status?: string[];
  category?: string[];
  severity?: string[];
  since?: string;
  until?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export type AuditFormat = "json" | "csv";

export interface ApiClient {
  health(): Promise<HealthResponse>;
  listIncidents(query?: IncidentListQuery, signal?: AbortSignal): Promise<IncidentListResponse>;
  getIncident(id: string, signal?: AbortSignal): Promise<IncidentDetailResponse>;
  decide(id: string, request: ApprovalRequest): Promise<ApprovalResponse>;
  exportAudit(id: string, format: AuditFormat): Promise<Blob>;
  stats(signal?: AbortSignal): Promise<StatsResponse>;
  listExceptions(signal?: AbortSignal): Promise<ExceptionListResponse>;
  createException(request: ExceptionCreateRequest): Promise<ExceptionRecord>;
}

export interface ApiClientOptions {
  /** Origin (and optional path prefix) of the API; "" means the page's own origin. */
  baseUrl: () => string;
  token: () => string;
  fetch?: typeof fetch;
}

/** Join the configured base URL and an API path, tolerating a trailing slash on the base. */
export function apiUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/** Serialise list filters the way the API reads them: one parameter each, lists comma-joined. */
export function listQueryString(query: IncidentListQuery): string {
  const params = new URLSearchParams();
  for (const key of ["status", "category", "severity"] as const) {
    const values = query[key];
    if (values?.length) params.set(key, values.join(","));
  }
  for (const key of ["since", "until", "q", "cursor"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function errorFrom(response: Response, what: string): Promise<ApiError> {
  let message = `${what} answered ${response.status}`;
  let issues: string[] = [];
  try {
    const body = (await response.json()) as { error?: unknown; issues?: unknown };
    if (typeof body.error === "string") message = `${what}: ${body.error}`;
    if (Array.isArray(body.issues)) issues = body.issues.filter((issue): issue is string => typeof issue === "string");
  } catch {
    // A body that is not JSON keeps the status-only message.
  }
  if (response.status === 401 || response.status === 403) return new ApiUnauthorized(message, response.status, issues);
  if (response.status === 404) return new ApiNotFound(message, response.status, issues);
  if (response.status === 409) return new ApiConflict(message, response.status, issues);
  return new ApiError(message, response.status, issues);
}

/** Create the client; base URL and token are read on every call, so settings apply at once. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request(what: string, path: string, init: RequestInit = {}, auth = true): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = options.token();
    if (auth && token) headers.set("authorization", `Bearer ${token}`);
    let response: Response;
    try {
      response = await doFetch(apiUrl(options.baseUrl(), path), { ...init, headers });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiUnreachable(`${what}: the server did not answer`, 0);
    }
    if (!response.ok) throw await errorFrom(response, what);
    return response;
  }

  async function json<T>(what: string, path: string, init?: RequestInit, auth?: boolean): Promise<T> {
    const response = await request(what, path, init, auth);
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(`${what}: the answer is not JSON`, response.status);
    }
  }

  const incidentPath = (id: string) => `/api/incidents/${encodeURIComponent(id)}`;

  return {
    // The token, when there is one, gets the detail (source names and errors, dead letters).
    health: () => json<HealthResponse>("health", "/api/health"),
    listIncidents: (query = {}, signal) =>
      json<IncidentListResponse>("incident list", `/api/incidents${listQueryString(query)}`, { signal }),
    getIncident: (id, signal) => json<IncidentDetailResponse>("incident", incidentPath(id), { signal }),
    decide: (id, body) =>
      json<ApprovalResponse>("approval", `${incidentPath(id)}/approval`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    exportAudit: async (id, format) =>
      (await request("audit export", `${incidentPath(id)}/audit?format=${format}`)).blob(),
    stats: (signal) => json<StatsResponse>("stats", "/api/stats", { signal }),
    listExceptions: (signal) => json<ExceptionListResponse>("exception list", "/api/exceptions", { signal }),
    createException: (body) =>
      json<ExceptionRecord>("exception", "/api/exceptions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
}
