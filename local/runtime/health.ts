import type { HealthResponse } from "../../core/model/api.js";
import type { RemediationMode } from "../../core/model/incident.js";
import type { SourceStatus } from "../sources/source.js";
import type { DetectionLoop } from "./detection-loop.js";
import type { EventInbox } from "./inbox.js";
import type { FindingOutbox } from "./outbox.js";

export interface HealthSources {
  version: string;
  startedAt: string;
  mode: RemediationMode;
  inbox: EventInbox;
  outbox: FindingOutbox;
  loop: DetectionLoop;
  sources: () => SourceStatus[];
  now: () => number;
}

/** Dead-lettered findings listed in full (to token holders); the count is always exact. */
const DEAD_LETTERS_LISTED = 20;

/**
 * `GET /api/health` for `riposte serve`: the counts (pending events, queued and dead-lettered
 * findings, failing sources), then the intake queue (lag: how long its oldest pending event has
 * waited; the newest event time detected), each live source, and the latest dead-lettered
 * findings. Any source with an error makes the status `degraded`. The API shows callers without
 * a token the status and counts only (`publicHealth`).
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
    const deadLetters = parts.outbox.recentDeadLetters(DEAD_LETTERS_LISTED).map((entry) => ({
      ...entry,
      failedAt: new Date(entry.failedAt).toISOString(),
    }));
    return {
      status: sources.some((source) => source.error) ? "degraded" : "ok",
      version: parts.version,
      startedAt: parts.startedAt,
      remediation: parts.mode,
      counts: {
        pendingEvents: backlog.pending,
        queuedFindings: parts.outbox.size(),
        deadLetteredEvents: parts.inbox.deadLettered(),
        deadLetteredFindings: parts.outbox.deadLettered(),
        sources: sources.length,
        failingSources: sources.filter((source) => source.error).length,
      },
      sources,
      ...(deadLetters.length > 0 ? { deadLetters } : {}),
    };
  };
}
