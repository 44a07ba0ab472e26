import type { Worker } from "node:worker_threads";
import type { RiposteConfig } from "../config/schema.js";
import type { EventPattern } from "../detections/types.js";
import type { InputFile } from "../events/files.js";
import type { UserRule } from "../rules/format.js";
import { BatchDecoder, type PreparedBatchMessage, type PreparedItem } from "./prepared-batch.js";
import type { ReaderData, ReaderMessage, ReaderStart } from "./scan-reader.js";
import { ReaderThreads } from "./scan-start.js";

/**
 * Reader threads for `riposte scan`: each reader claims the next file from a counter they share
 * (so a reader slowed down by a large file or a busy core holds nobody up), reads, normalizes and
 * matches it, and the batches come out here in file order again — exactly the batches reading
 * in-thread yields — while the calling thread runs the detections. Memory stays bounded: a reader
 * has at most `maxInFlight` messages (batches or file ends) not yet taken here.
 */

export interface ReaderPoolOptions {
  files: readonly InputFile[];
  config: RiposteConfig;
  readers: number;
  /** The engine's index signature: readers must number index entries the same way. */
  signature: string;
  wholeFileLimit?: number;
  onBytes?: (bytes: number) => void;
  /** Messages a reader may post ahead of the engine (bounds memory). */
  maxInFlight?: number;
  /** See `ScanOptions.extraPatterns`. */
  extraPatterns?: readonly EventPattern[];
  /** See `ScanOptions.rules` (data: each reader builds their detections again). */
  rules?: readonly UserRule[];
  /** Filled in as the pool runs (for tests and benchmarks). */
  stats?: ReaderPoolStats;
  /** Threads started already (`startScan`); those beyond `readers` or the files are stopped. */
  threads?: ReaderThreads;
  /** Decodes the messages; the caller tells it the items it has finished (`BatchDecoder.finished`). */
  decoder?: BatchDecoder;
}

export interface ReaderPoolStats {
  /** The most messages one reader had posted that were not taken yet. */
  maxUnacknowledged: number;
  /** Files each reader read. */
  filesByReader: number[];
}

/** Default `maxInFlight`: a few files' batches per reader keep it busy while the engine works. */
export const DEFAULT_MAX_IN_FLIGHT = 4;

/** The readers could not be started (no thread support, a loader missing): read in-thread. */
export class ReadersUnavailable extends Error {
  override name = "ReadersUnavailable";
}

type Received = Extract<ReaderMessage, { type: "batch" | "end" }>;

/** The reader threads and the messages they posted that were not taken yet, by file. */
class Pool {
  private readonly byFile = new Map<number, { reader: number; message: Received }[]>();
  private readonly unacknowledged: number[];
  private readonly finished: boolean[];
  private waiting:
    | { file: number; resolve: (next: { reader: number; message: Received }) => void; reject: (error: Error) => void }
    | undefined;
  private failure: Error | undefined;
  private readonly acknowledged: Int32Array;
  readonly ready: Promise<string[]>;

  constructor(
    readonly workers: Worker[],
    stopped: readonly (Error | undefined)[],
    data: ReaderData,
    private readonly stats: ReaderPoolStats,
  ) {
    this.unacknowledged = workers.map(() => 0);
    this.acknowledged = new Int32Array(data.acknowledged);
    this.finished = workers.map(() => false);
    stats.filesByReader = workers.map(() => 0);
    this.ready = Promise.all(
      workers.map(
        (worker, reader) =>
          new Promise<string>((resolve, reject) => {
            worker.on("message", (message: ReaderMessage) => {
              if (message.type === "ready") resolve(message.signature);
              else if (message.type === "failed")
                this.fail(new Error(`a scan reader failed: ${message.reason}`), reject);
              else if (message.type === "done") this.finished[reader] = true;
              else this.deliver(reader, message);
            });
            worker.on("error", (error) => this.fail(error, reject));
            worker.on("exit", (code) => {
              // A reader that posted everything may go; any other stop loses files.
              if (!this.finished[reader]) this.fail(new Error(`a scan reader stopped (exit code ${code})`), reject);
            });
            // A thread started early may have stopped before this scan took it.
            const early = stopped[reader];
            if (early) this.fail(early, reject);
            else worker.postMessage({ type: "start", reader, data } satisfies ReaderStart);
          }),
      ),
    );
    // Failures surface through `next`; an unobserved `ready` must not crash the process.
    this.ready.catch(() => {});
  }

  private deliver(reader: number, message: Received): void {
    const count = ++this.unacknowledged[reader]!;
    if (count > this.stats.maxUnacknowledged) this.stats.maxUnacknowledged = count;
    const file = message.type === "end" ? message.file : message.message.file;
    if (message.type === "end" || message.end) this.stats.filesByReader[reader]!++;
    const waiting = this.waiting;
    if (waiting && waiting.file === file) {
      this.waiting = undefined;
      waiting.resolve({ reader, message });
      return;
    }
    let queue = this.byFile.get(file);
    if (!queue) {
      queue = [];
      this.byFile.set(file, queue);
    }
    queue.push({ reader, message });
  }

  private fail(error: Error, reject: (error: Error) => void): void {
    this.failure ??= error;
    reject(error);
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.reject(this.failure);
    }
  }

  /** The next message about `file` (a batch, or its end), from whichever reader claimed it. */
  next(file: number): Promise<{ reader: number; message: Received }> {
    const queue = this.byFile.get(file);
    const queued = queue?.shift();
    if (queue && queue.length === 0) this.byFile.delete(file);
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { file, resolve, reject };
    });
  }

  /**
   * The engine took a message: its reader may post another. Counted in memory the reader shares
   * (no message: the reader reads the count, and is woken only if it waits for it).
   */
  acknowledge(reader: number): void {
    this.unacknowledged[reader]!--;
    Atomics.add(this.acknowledged, reader, 1);
    Atomics.notify(this.acknowledged, reader, 1);
  }
}

/**
 * The prepared batches of `files`, in file order. Throws `ReadersUnavailable` before yielding
 * anything when the threads cannot start; the threads are stopped when iteration ends.
 */
export async function* readPrepared(options: ReaderPoolOptions): AsyncIterable<PreparedItem[]> {
  const count = Math.max(1, Math.min(options.readers, options.files.length));
  const threads = options.threads ?? new ReaderThreads(count);
  const workers = threads.workers.slice(0, count);
  const stats = options.stats ?? { maxUnacknowledged: 0, filesByReader: [] };
  const data: ReaderData = {
    config: options.config,
    files: [...options.files],
    claims: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
    acknowledged: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * count),
    wholeFileLimit: options.wholeFileLimit,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    extraPatterns: options.extraPatterns,
    rules: options.rules,
  };
  try {
    // Threads started beyond what this scan uses.
    for (const extra of threads.workers.slice(count)) void extra.terminate();
    const pool = new Pool(workers, threads.stopped, data, stats);
    let signatures: string[];
    try {
      signatures = await pool.ready;
    } catch (error) {
      throw new ReadersUnavailable(`scan reader threads could not start: ${(error as Error).message}`);
    }
    if (signatures.some((signature) => signature !== options.signature)) {
      throw new ReadersUnavailable("scan reader threads built a different pattern index");
    }

    const decoder = options.decoder ?? new BatchDecoder();
    for (let file = 0; file < options.files.length; file++) {
      for (;;) {
        const { reader, message } = await pool.next(file);
        options.onBytes?.(message.bytes);
        pool.acknowledge(reader);
        if (message.type === "end") break;
        const items = decoder.decode(message.message, reader, options.files[file]!.path);
        if (items.length > 0) yield items;
        if (message.end) break;
      }
    }
  } finally {
    await threads.stop();
  }
}

export type { PreparedBatchMessage };
