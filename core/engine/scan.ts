import type { RiposteConfig } from "../config/schema.js";
import type { CorrelationStore } from "../correlation/store.js";
import type { EventPattern } from "../detections/types.js";
import { type OrderOptions, type OrderStats, orderByEventTime, TimeOrder } from "../events/order.js";
import { type ReadOptions, readListedFiles } from "../events/read.js";
import type { ReadError, ReadItem } from "../events/types.js";
import { type Logger, silentLogger } from "../log.js";
import type { Severity } from "../model/catalog.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import type { UserRule } from "../rules/format.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { createPreparedDetectionEngine } from "./engine.js";
import type { PreparedEvent } from "./prepared.js";
import { BatchDecoder, type PreparedItem } from "./prepared-batch.js";
import { ReportedIncidents } from "./reported.js";
import { ReadersUnavailable, readPrepared } from "./scan-readers.js";
import { type ScanStart, startScan } from "./scan-start.js";

export { DEFAULT_READERS, MAX_READERS, PARALLEL_MIN_BYTES } from "./scan-start.js";

/**
 * Offline triage (`riposte scan`): read files and directories, order events by event time with
 * bounded memory, run every detection, and hand each finding and each unreadable record to the
 * caller as they come. A finding reported twice (the same detection over the same events, e.g. a
 * duplicated log file) is reported once.
 *
 * Large inputs are read by reader threads (`scan-readers.ts`: read, decompress, parse, normalize
 * and match there) while this thread orders the events and runs the detections, rebuilding a
 * record only when a detection needs it. Both ways yield the same findings in the same order.
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
  /**
   * Events that arrived later than the ordering window (or buffer) allows and were processed
   * out of event-time order: stateful detections may have missed or mis-ordered them.
   */
  lateEvents: number;
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
  /**
   * Reader threads (0: read in this thread). Default: up to two when the input is at least
   * `PARALLEL_MIN_BYTES` and the machine has more than one core.
   */
  readers?: number;
  /**
   * The listing and reader threads begun already for `paths` and `readers` (`startScan`: the CLI
   * begins them before it loads the scan). Without it, the scan begins them itself.
   */
  start?: ScanStart;
  /** Patterns matched and then ignored, for benchmarks only (see `buildEngineIndex`). */
  extraPatterns?: readonly EventPattern[];
  /** Users' rules, run with the catalog's detections. */
  rules?: readonly UserRule[];
}

/** The start given for these paths, else a new one (a start for other paths is stopped). */
function startFor(options: ScanOptions): ScanStart {
  const given = options.start;
  const same =
    given !== undefined &&
    given.paths.length === options.paths.length &&
    given.paths.every((path, index) => path === options.paths[index]);
  if (same) return given;
  void given?.cancel();
  return startScan(options.paths, options.readers);
}

export async function scanFiles(options: ScanOptions): Promise<ScanSummary> {
  const start = startFor(options);
  try {
    return await scanStarted(start, options);
  } finally {
    // Threads the scan did not take (it failed first, or read in this thread) are stopped too.
    await start.cancel();
  }
}

async function scanStarted(start: ScanStart, options: ScanOptions): Promise<ScanSummary> {
  const engine = createPreparedDetectionEngine({
    config: options.config,
    state: options.state ?? new MemoryCorrelationStore(),
    logger: options.logger ?? silentLogger,
    extraPatterns: options.extraPatterns,
    rules: options.rules,
    lazyIndex: true,
  });
  const logger = options.logger ?? silentLogger;
  const summary: ScanSummary = {
    files: 0,
    events: 0,
    findings: 0,
    unreadableRecords: 0,
    unreadableFiles: 0,
    lateEvents: 0,
    bySeverity: {},
    byDetection: {},
  };
  const progress: ScanProgress = { bytesRead: 0, totalBytes: 0, files: 0, events: 0, findings: 0 };
  const reported = new ReportedIncidents();
  let first: number | undefined;

  const report = async (findings: Finding[]) => {
    for (const finding of findings) {
      if (!reported.firstOf(finding)) continue;
      summary.findings++;
      summary.bySeverity[finding.severity] = (summary.bySeverity[finding.severity] ?? 0) + 1;
      const entry = summary.byDetection[finding.detection] ?? { severity: finding.severity, count: 0 };
      entry.count++;
      summary.byDetection[finding.detection] = entry;
      await options.onFinding(finding);
    }
  };
  const readError = (error: ReadError) => {
    if (error.position === 0) summary.unreadableFiles++;
    else summary.unreadableRecords++;
    options.onError(error);
  };
  const counted = (events: number, time: number | undefined) => {
    summary.events += events;
    if (time !== undefined && (first === undefined || time < first)) first = time;
    progress.events = summary.events;
    progress.findings = summary.findings;
  };

  const { files, errors } = start.listing;
  summary.files = files.length;
  progress.files = files.length;
  progress.totalBytes = files.reduce((total, file) => total + file.size, 0);
  const onBytes = (bytes: number) => {
    progress.bytesRead += bytes;
  };
  const listingErrors: { error: ReadError }[] = errors.map((error) => ({ error }));

  const threads = start.threads;
  const decoder = new BatchDecoder();
  let parallel: AsyncIterator<PreparedItem[]> | undefined;
  let firstBatch: IteratorResult<PreparedItem[]> | undefined;
  if (threads) {
    parallel = readPrepared({
      decoder,
      files,
      config: options.config,
      readers: threads.workers.length,
      threads,
      signature: engine.indexSignature,
      extraPatterns: options.extraPatterns,
      rules: options.rules,
      wholeFileLimit: options.read?.wholeFileLimit,
      onBytes,
    })[Symbol.asyncIterator]();
    try {
      firstBatch = await parallel.next();
    } catch (error) {
      if (!(error instanceof ReadersUnavailable)) throw error;
      logger.warn("reading in one thread", { reason: error.message });
      parallel = undefined;
    }
  }

  if (parallel && firstBatch) {
    // Reader threads: prepared events, ordered here exactly as `orderByEventTime` orders events.
    const order = new TimeOrder<PreparedItem>(options.order);
    const handle = async (batch: PreparedItem[]) => {
      const events: PreparedEvent[] = [];
      let earliest: number | undefined;
      for (const item of batch) {
        if ("error" in item) {
          readError(item.error);
          continue;
        }
        events.push(item);
        if (earliest === undefined || item.epochMs < earliest) earliest = item.epochMs;
      }
      counted(events.length, earliest);
      if (events.length > 0) {
        const findings = await engine.processPrepared(events);
        // Their files' bytes can go as soon as no event left reads them.
        decoder.finished(events);
        await report(findings);
      }
      progress.findings = summary.findings;
      options.onProgress?.(progress);
    };
    const batches = withFirst(listingErrors, firstBatch, parallel);
    try {
      for await (const batch of batches) {
        if (options.signal?.aborted) break;
        const out: PreparedItem[] = [];
        for (const item of batch) {
          if ("error" in item) out.push(item);
          else order.add(item, item.epochMs);
        }
        order.release(out);
        if (out.length > 0) await handle(out);
      }
      if (!options.signal?.aborted) {
        const rest: PreparedItem[] = [];
        order.drain(rest);
        if (rest.length > 0) await handle(rest);
      }
    } finally {
      await parallel.return?.();
    }
    summary.lateEvents = order.late;
  } else {
    const read = async function* (): AsyncIterable<ReadItem[]> {
      if (listingErrors.length > 0) yield listingErrors;
      for await (const batch of readListedFiles(files, { wholeFileLimit: options.read?.wholeFileLimit, onBytes })) {
        yield batch.items;
      }
    };
    const ordering: OrderStats = { late: 0 };
    for await (const batch of orderByEventTime(read(), options.order, ordering)) {
      if (options.signal?.aborted) break;
      const events: SecurityEvent[] = [];
      let earliest: number | undefined;
      for (const item of batch) {
        if ("error" in item) {
          readError(item.error);
          continue;
        }
        events.push(item.event);
        if (earliest === undefined || item.event.epochMs < earliest) earliest = item.event.epochMs;
      }
      counted(events.length, earliest);
      if (events.length > 0) await report(await engine.processBatch(events));
      progress.findings = summary.findings;
      options.onProgress?.(progress);
    }
    summary.lateEvents = ordering.late;
  }
  if (!options.signal?.aborted) await report(await engine.finish());
  if (first !== undefined && engine.latestTime !== undefined) {
    summary.firstEvent = new Date(first).toISOString();
    summary.lastEvent = new Date(engine.latestTime).toISOString();
  }
  return summary;
}

/** The listing errors, the batch already taken, then the rest. */
async function* withFirst(
  listingErrors: { error: ReadError }[],
  first: IteratorResult<PreparedItem[]>,
  rest: AsyncIterator<PreparedItem[]>,
): AsyncIterable<PreparedItem[]> {
  if (listingErrors.length > 0) yield listingErrors;
  if (first.done) return;
  yield first.value;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}
