import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { RiposteConfig } from "../config/schema.js";
import type { InputFile } from "../events/files.js";
import { BatchDecoder, type PreparedBatchMessage, type PreparedItem } from "./prepared-batch.js";
import type { ReaderData, ReaderMessage } from "./scan-reader.js";
import type { EventPattern } from "./types.js";

/**
 * Reader threads for `riposte scan`: file i goes to reader i mod n, each reader reads, normalises
 * and matches its files in order, and the batches come out here in file order again — exactly
 * the batches reading in-thread yields — while the calling thread runs the detections.
 */

export interface ReaderPoolOptions {
  files: readonly InputFile[];
  config: RiposteConfig;
  readers: number;
  /** The engine's index signature: readers must number index entries the same way. */
  signature: string;
  wholeFileLimit?: number;
  onBytes?: (bytes: number) => void;
  /** Batches a reader may post ahead of the engine (bounds memory). */
  maxInFlight?: number;
  /** See `ScanOptions.extraPatterns`. */
  extraPatterns?: readonly EventPattern[];
}

/** The readers could not be started (no thread support, a loader missing): read in-thread. */
export class ReadersUnavailable extends Error {
  override name = "ReadersUnavailable";
}

type Received = Extract<ReaderMessage, { type: "batch" | "done" }>;

/** One reader thread and the messages it posted that were not taken yet. */
class Reader {
  private readonly queue: Received[] = [];
  private waiting: { resolve: (message: Received) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  readonly ready: Promise<string>;

  constructor(readonly worker: Worker) {
    this.ready = new Promise<string>((resolve, reject) => {
      worker.on("message", (message: ReaderMessage) => {
        if (message.type === "ready") resolve(message.signature);
        else if (message.type === "failed") this.fail(new Error(`a scan reader failed: ${message.reason}`), reject);
        else this.deliver(message);
      });
      worker.on("error", (error) => this.fail(error, reject));
      worker.on("exit", (code) => this.fail(new Error(`a scan reader stopped (exit code ${code})`), reject));
    });
    // Failures surface through `next`; an unobserved `ready` must not crash the process.
    this.ready.catch(() => {});
  }

  private deliver(message: Received): void {
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else this.queue.push(message);
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

  next(): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Give back a message that belongs to a later file. */
  putBack(message: Received): void {
    this.queue.unshift(message);
  }
}

/**
 * The prepared batches of `files`, in file order. Throws `ReadersUnavailable` before yielding
 * anything when the threads cannot start; the threads are stopped when iteration ends.
 */
export async function* readPrepared(options: ReaderPoolOptions): AsyncIterable<PreparedItem[]> {
  const count = Math.max(1, Math.min(options.readers, options.files.length));
  const readers: Reader[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const files: InputFile[] = [];
      const fileNumbers: number[] = [];
      options.files.forEach((file, index) => {
        if (index % count === n) {
          files.push(file);
          fileNumbers.push(index);
        }
      });
      const data: ReaderData = {
        config: options.config,
        files,
        fileNumbers,
        wholeFileLimit: options.wholeFileLimit,
        maxInFlight: options.maxInFlight ?? 4,
        extraPatterns: options.extraPatterns,
      };
      readers.push(new Reader(startReader(data)));
    }
    let signatures: string[];
    try {
      signatures = await Promise.all(readers.map((reader) => reader.ready));
    } catch (error) {
      throw new ReadersUnavailable(`scan reader threads could not start: ${(error as Error).message}`);
    }
    if (signatures.some((signature) => signature !== options.signature)) {
      throw new ReadersUnavailable("scan reader threads built a different pattern index");
    }

    const decoder = new BatchDecoder();
    for (let file = 0; file < options.files.length; file++) {
      const n = file % count;
      const reader = readers[n]!;
      for (;;) {
        const received = await reader.next();
        if (received.type === "done") {
          options.onBytes?.(received.bytes);
          reader.putBack({ type: "done", bytes: 0 });
          break;
        }
        if (received.message.file !== file) {
          reader.putBack(received);
          break;
        }
        options.onBytes?.(received.bytes);
        const items = decoder.decode(received.message, n, options.files[file]!.path);
        reader.worker.postMessage({ type: "ack" });
        if (items.length > 0) yield items;
      }
    }
  } finally {
    await Promise.all(readers.map((reader) => reader.worker.terminate()));
  }
}

/** A reader thread on `scan-reader`, through tsx when running from the TypeScript sources. */
function startReader(data: ReaderData): Worker {
  const typescript = import.meta.url.endsWith(".ts");
  const entry = new URL(typescript ? "./scan-reader.ts" : "./scan-reader.js", import.meta.url).href;
  if (!typescript) return new Worker(new URL(entry), { workerData: data });
  const loader = tsxApi();
  const boot = `import(${JSON.stringify(loader)}).then((api) => { (api.register ?? api.default.register)(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

function tsxApi(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
  }
}

export type { PreparedBatchMessage };
