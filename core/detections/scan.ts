import type { RiposteConfig } from "../config/schema.js";
import { MemoryCorrelationStore } from "../correlation/memory.js";
import type { CorrelationStore } from "../correlation/store.js";
import { type OrderOptions, orderByEventTime } from "../events/order.js";
import { type ReadOptions, readEventBatches } from "../events/read.js";
import type { ReadError } from "../events/types.js";
import { incidentIdFor } from "../incidents/id.js";
import { type Logger, silentLogger } from "../log.js";
import type { Severity } from "../model/catalog.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { createDetectionEngine } from "./engine.js";

/**
 * Offline triage (`riposte scan`): read files and directories, order events by event time with
 * bounded memory, run every detection, and hand each finding and each unreadable record to the
 * caller as they come. A finding reported twice (the same detection over the same events, e.g. a
 * duplicated log file) is reported once.
 */

export interface ScanProgress {
  bytesRead: number;
  totalBytes: number;
  files: number;
  events: number;
  findings: number;
}

export interface ScanSummary {
  files: number;
  events: number;
  findings: number;
  /** Records that could not be read (position > 0) and files that could not be read at all. */
  unreadableRecords: number;
  unreadableFiles: number;
  bySeverity: Partial<Record<Severity, number>>;
  byDetection: Record<string, { severity: Severity; count: number }>;
  /** Event time span of the input (ISO), when it had events. */
  firstEvent?: string;
  lastEvent?: string;
}

export interface ScanOptions {
  paths: readonly string[];
  config: RiposteConfig;
  onFinding: (finding: Finding) => void | Promise<void>;
  onError: (error: ReadError) => void;
  onProgress?: (progress: ScanProgress) => void;
  logger?: Logger;
  state?: CorrelationStore;
  order?: OrderOptions;
  read?: Pick<ReadOptions, "wholeFileLimit">;
  /** Stops reading (e.g. the output pipe closed); the summary covers what was read. */
  signal?: AbortSignal;
}

export async function scanFiles(options: ScanOptions): Promise<ScanSummary> {
  const engine = createDetectionEngine({
    config: options.config,
    state: options.state ?? new MemoryCorrelationStore(),
    logger: options.logger ?? silentLogger,
  });
  const summary: ScanSummary = {
    files: 0,
    events: 0,
    findings: 0,
    unreadableRecords: 0,
    unreadableFiles: 0,
    bySeverity: {},
    byDetection: {},
  };
  const progress: ScanProgress = { bytesRead: 0, totalBytes: 0, files: 0, events: 0, findings: 0 };
  const reported = new Set<string>();
  let first: number | undefined;

  const report = async (findings: Finding[]) => {
    for (const finding of findings) {
      const id = incidentIdFor(finding);
      if (reported.has(id)) continue;
      reported.add(id);
      summary.findings++;
      summary.bySeverity[finding.severity] = (summary.bySeverity[finding.severity] ?? 0) + 1;
      const entry = summary.byDetection[finding.detection] ?? { severity: finding.severity, count: 0 };
      entry.count++;
      summary.byDetection[finding.detection] = entry;
      await options.onFinding(finding);
    }
  };

  const batches = readEventBatches(options.paths, {
    ...options.read,
    onListed: (files) => {
      summary.files = files.length;
      progress.files = files.length;
      progress.totalBytes = files.reduce((total, file) => total + file.size, 0);
    },
    onBytes: (bytes) => {
      progress.bytesRead += bytes;
    },
  });
  for await (const batch of orderByEventTime(batches, options.order)) {
    if (options.signal?.aborted) break;
    const events: SecurityEvent[] = [];
    for (const item of batch) {
      if ("error" in item) {
        if (item.error.position === 0) summary.unreadableFiles++;
        else summary.unreadableRecords++;
        options.onError(item.error);
        continue;
      }
      events.push(item.event);
      if (first === undefined || item.event.epochMs < first) first = item.event.epochMs;
    }
    summary.events += events.length;
    if (events.length > 0) await report(await engine.processBatch(events));
    progress.events = summary.events;
    progress.findings = summary.findings;
    options.onProgress?.(progress);
  }
  if (!options.signal?.aborted) await report(await engine.finish());
  if (first !== undefined && engine.latestTime !== undefined) {
    summary.firstEvent = new Date(first).toISOString();
    summary.lastEvent = new Date(engine.latestTime).toISOString();
  }
  return summary;
}
