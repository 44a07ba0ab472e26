import type { HealthResponse } from "../../core/model/api.js";
import type { RemediationMode } from "../../core/model/incident.js";
import type { SourceStatus } from "../sources/source.js";
import type { DetectionLoop } from "./detection-loop.js";
import type { EventInbox } from "./inbox.js";

export interface HealthSources {
  version: string;
  startedAt: string;
  mode: RemediationMode;
  inbox: EventInbox;
  loop: DetectionLoop;
  sources: () => SourceStatus[];
  now: () => number;
}

/**
 * `GET /api/health` for `riposte serve`: the intake queue first (lag: how long its oldest pending
 * event has waited; the newest event time detected), then each live source. Any source with an
 * error makes the status `degraded`.
 */
export function localHealth(parts: HealthSources): () => HealthResponse {
  return () => {
    const backlog = parts.inbox.backlog();
    const stats = parts.loop.stats();
    const waited = backlog.oldestReceivedAt === undefined ? 0 : (parts.now() - backlog.oldestReceivedAt) / 1000;
    const intake: SourceStatus = {
      name: "intake",
      lagSeconds: Math.max(0, Math.round(waited * 10) / 10),
      ...(stats.latestEventMs !== undefined ? { lastEventAt: new Date(stats.latestEventMs).toISOString() } : {}),
      ...(stats.lastError ? { error: stats.lastError } : {}),
    };
    const sources = [intake, ...parts.sources()];
    return {
      status: sources.some((source) => source.error) ? "degraded" : "ok",
      version: parts.version,
      startedAt: parts.startedAt,
      remediation: parts.mode,
      sources,
    };
  };
}
