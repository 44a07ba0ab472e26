import type {
  ApprovalRequest,
  DeadLetterSummary,
  IncidentDetailResponse,
  StatsResponse,
} from "../../../core/model/api.js";
import type { ExceptionRecord } from "../../../core/model/exception.js";
import type { Incident, IncidentSummary } from "../../../core/model/incident.js";
import type { LiveMessage } from "../../../core/model/messages.js";
import { summarize } from "../../../core/store/summary.js";

/**
 * A fake Riposte API (as a `fetch`) and fake WebSockets for component tests. It speaks the
 * contract of `core/model/api.ts` and `messages.ts`: bearer auth, cursor pages, approvals.
 */

export interface FakeServerOptions {
  token?: string;
  remediation?: "dry-run" | "live" | "off";
  summaries?: IncidentSummary[];
  details?: IncidentDetailResponse[];
  stats?: StatsResponse;
  /** Findings the server set aside (health counts; listed to a token holder). */
  deadLetters?: DeadLetterSummary[];
  exceptions?: ExceptionRecord[];
}

export interface FakeServer {
  fetch: typeof fetch;
  requests: { method: string; path: string; auth?: string; body?: unknown }[];
  approvals: { id: string; request: ApprovalRequest }[];
  /** Exceptions listed by GET /api/exceptions; POST appends to it (or answers `exceptionError`). */
  exceptions: ExceptionRecord[];
  exceptionError?: { status: number; error: string };
  summaries: IncidentSummary[];
  details: Map<string, IncidentDetailResponse>;
  /** Make the next calls fail as if the server were down (true) or answer again (false). */
  down: boolean;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function createFakeServer(options: FakeServerOptions = {}): FakeServer {
  const token = options.token ?? "test-token";
  const server: FakeServer = {
    requests: [],
    approvals: [],
    exceptions: [...(options.exceptions ?? [])],
    summaries: [...(options.summaries ?? [])],
    details: new Map((options.details ?? []).map((detail) => [detail.incident.id, detail])),
    down: false,
    fetch: async (input, init) => {
      const url = new URL(String(input), "http://localhost");
      const method = init?.method ?? "GET";
      const auth = new Headers(init?.headers).get("authorization") ?? undefined;
      const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
      server.requests.push({ method, path: `${url.pathname}${url.search}`, auth, body });
      if (server.down) throw new TypeError("fetch failed");
      if (url.pathname === "/api/health") {
        const deadLetters = options.deadLetters ?? [];
        return json(200, {
          status: "ok",
          version: "9.9.9",
          startedAt: "2026-03-01T00:00:00Z",
          remediation: options.remediation ?? "dry-run",
          counts: {
            pendingEvents: 0,
            queuedFindings: 0,
            deadLetteredEvents: 0,
            deadLetteredFindings: deadLetters.length,
            sources: 1,
            failingSources: 0,
          },
          // Like the server: the detail only for the token's holder.
          ...(auth === `Bearer ${token}` && deadLetters.length > 0 ? { deadLetters } : {}),
        });
      }
      if (auth !== `Bearer ${token}`) return json(401, { error: "missing or invalid token" });
      if (url.pathname === "/api/incidents") {
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const start = Number(url.searchParams.get("cursor") ?? 0);
        const q = url.searchParams.get("q")?.toLowerCase();
        const all = q ? server.summaries.filter((item) => item.title.toLowerCase().includes(q)) : server.summaries;
        const items = all.slice(start, start + limit);
        return json(200, { items, nextCursor: start + limit < all.length ? String(start + limit) : undefined });
      }
      if (url.pathname === "/api/stats" && options.stats) return json(200, options.stats);
      if (url.pathname === "/api/exceptions" && method === "GET") return json(200, { items: server.exceptions });
      if (url.pathname === "/api/exceptions" && method === "POST") {
        if (server.exceptionError) return json(server.exceptionError.status, { error: server.exceptionError.error });
        const created: ExceptionRecord = {
          id: `dsh-${server.exceptions.length + 1}`,
          ...body,
          owner: body.owner ?? "dashboard",
          createdAt: "2026-03-01T10:10:00Z",
          createdBy: "dashboard:dashboard",
          source: "dashboard",
        };
        server.exceptions.push(created);
        return json(201, created);
      }
      const match = /^\/api\/incidents\/([^/]+)(\/approval|\/audit)?$/.exec(url.pathname);
      if (match) {
        const id = decodeURIComponent(match[1]!);
        const detail = server.details.get(id);
        if (!detail) return json(404, { error: `no incident ${id}` });
        if (match[2] === "/approval" && method === "POST") {
          if (detail.incident.status !== "AWAITING_APPROVAL") return json(409, { error: "approval already decided" });
          server.approvals.push({ id, request: body });
          return json(200, {
            incidentId: id,
            decision: body.decision,
            approver: "dashboard",
            at: "2026-03-01T10:10:00Z",
          });
        }
        if (match[2] === "/audit") {
          return url.searchParams.get("format") === "csv"
            ? new Response("at,actor,action\n", { status: 200, headers: { "content-type": "text/csv" } })
            : json(200, detail.audit);
        }
        return json(200, detail);
      }
      return json(404, { error: "not found" });
    },
  };
  return server;
}

/** Replace an incident in the fake server (detail and list) as the workflow would. */
export function putIncident(server: FakeServer, incident: Incident, extra: Partial<IncidentDetailResponse> = {}) {
  const existing = server.details.get(incident.id);
  server.details.set(incident.id, { audit: [], ...existing, ...extra, incident });
  const summary = summarize(incident);
  const index = server.summaries.findIndex((item) => item.id === incident.id);
  if (index === -1) server.summaries.unshift(summary);
  else server.summaries[index] = summary;
}

/** A WebSocket stand-in the test drives: open it, push messages, drop it. */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  static latest(): FakeSocket {
    const socket = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }
  static reset() {
    FakeSocket.instances = [];
  }
  open() {
    this.onopen?.(new Event("open"));
  }
  send(message: LiveMessage | string) {
    const data = typeof message === "string" ? message : JSON.stringify(message);
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  /** The server went away. */
  drop() {
    this.closed = true;
    this.onclose?.(new CloseEvent("close", { code: 1006 }));
  }
  close() {
    this.closed = true;
  }
}

export const createFakeSocket = (url: string) => new FakeSocket(url) as unknown as WebSocket;

/** An in-memory Storage. */
export function memoryStorage(initial: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(initial));
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (index) => [...data.keys()][index] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, String(value)),
  };
}
