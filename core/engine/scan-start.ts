import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { type InputFile, listInputFilesSync } from "../events/files.js";
import type { ReadError } from "../events/types.js";

/**
 * The start of `riposte scan`: list the input and start the reader threads it is worth. Light on
 * purpose (no detection code), so the CLI can begin it before it loads the scan itself: a reader
 * thread spends a few hundred milliseconds loading its own code, which then overlaps the calling
 * thread's instead of following it. The threads wait for the scan (`readPrepared` sends it).
 */

/** Below this much input (as stored), starting reader threads costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** Reader threads when the input is large enough and the machine has more than one core. */
export const DEFAULT_READERS = 2;

/** The most reader threads a scan starts (each holds its own copy of the detections). */
export const MAX_READERS = 16;

export interface Listing {
  files: InputFile[];
  errors: ReadError[];
}

/** Reader threads for the listed files: `readers` if given (at most one per file), else the default. */
export function readerCount(files: readonly InputFile[], readers?: number): number {
  if (files.length === 0) return 0;
  if (readers !== undefined) return Math.min(readers, MAX_READERS, files.length);
  const bytes = files.reduce((total, file) => total + file.size, 0);
  const cores = availableParallelism();
  return bytes >= PARALLEL_MIN_BYTES && cores > 1 ? Math.min(DEFAULT_READERS, cores, files.length) : 0;
}

/** Started reader threads, each loading its code and then waiting for the scan. */
export class ReaderThreads {
  readonly workers: Worker[];
  /** Why each thread stopped, once it did (seen from the start: it may fail before the scan begins). */
  readonly stopped: (Error | undefined)[];

  constructor(count: number) {
    this.workers = Array.from({ length: count }, startReader);
    this.stopped = this.workers.map(() => undefined);
    this.workers.forEach((worker, reader) => {
      worker.on("error", (error) => {
        this.stopped[reader] ??= error;
      });
      worker.on("exit", (code) => {
        this.stopped[reader] ??= new Error(`a scan reader stopped (exit code ${code})`);
      });
    });
  }

  /** Stops every thread (terminating a stopped one is harmless). */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** A scan's listing and reader threads, begun for `paths` (see `startScan`). */
export class ScanStart {
  constructor(
    readonly paths: readonly string[],
    readonly listing: Listing,
    /** Undefined: read in the scanning thread. */
    readonly threads: ReaderThreads | undefined,
  ) {}

  /** Stops the threads (a scan that will not run, or one that is over). */
  async cancel(): Promise<void> {
    await this.threads?.stop();
  }
}

/**
 * Lists `paths` (at once: the scan waits for it anyway) and starts the reader threads the listing
 * is worth (`readers`: the number asked for, else the default).
 */
export function startScan(paths: readonly string[], readers?: number): ScanStart {
  const listing = listInputFilesSync(paths);
  const count = readerCount(listing.files, readers);
  return new ScanStart([...paths], listing, count > 0 ? new ReaderThreads(count) : undefined);
}

/** A reader thread on `scan-reader`, through tsx when running from the TypeScript sources. */
function startReader(): Worker {
  const typescript = import.meta.url.endsWith(".ts");
  const entry = new URL(typescript ? "./scan-reader.ts" : "./scan-reader.js", import.meta.url).href;
  if (!typescript) return new Worker(new URL(entry));
  const loader = tsxApi();
  const boot = `import(${JSON.stringify(loader)}).then((api) => { (api.register ?? api.default.register)(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

function tsxApi(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
  }
}
