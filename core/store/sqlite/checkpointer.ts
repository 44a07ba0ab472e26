import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { Logger } from "../../log.js";

/**
 * WAL checkpoints off the event loop. In WAL mode a commit appends its pages to the log; a
 * checkpoint copies them back into the database file (reading the log, writing the file, an
 * fsync of each). SQLite runs one inside whichever commit takes the log past
 * `wal_autocheckpoint` pages, so with the default every few incidents one commit stalled the one
 * event loop for the copy and two fsyncs. Here a worker thread with a connection of its own runs
 * a passive checkpoint every `intervalMs` (a passive checkpoint never blocks a reader or the
 * writer, and copies only what every reader has finished with), and the main connection's own
 * automatic checkpoint stays as a backstop, at `backstopPages`, should the worker fall behind or
 * fail. Durability is untouched: what is committed is in the log, fsynced at sync points
 * (sync-points.ts), whoever later copies it into the database file; a crash mid-checkpoint is
 * SQLite's to recover, as it always was.
 */

export interface CheckpointerOptions {
  /** How often the worker checkpoints. */
  intervalMs?: number;
  /** The main connection's `wal_autocheckpoint` while the worker runs (the default is 1000). */
  backstopPages?: number;
  logger?: Logger;
}

/** Flags shared with the worker: `stop` set by the owner, `state` by both (see `WORKER`). */
const STOP = 0;
const STATE = 1;
/** `state`: not started; the worker owns a connection; the owner stopped it before it opened one; it closed. */
const IDLE = 0;
const OPEN = 1;
const CANCELLED = 2;
const CLOSED = 3;
/** How long closing waits for the worker to let go of its connection (a checkpoint in progress finishes first). */
const CLOSE_WAIT_MS = 10_000;

// CommonJS, evaluated in the worker. It blocks in Atomics.wait between checkpoints: it has no
// event loop work, and the owner wakes it to stop.
const WORKER = `
const { workerData } = require("node:worker_threads");
const flags = new Int32Array(workerData.flags);
if (Atomics.compareExchange(flags, ${STATE}, ${IDLE}, ${OPEN}) === ${IDLE}) {
  let db;
  try {
    db = new (require(workerData.driver))(workerData.file, { fileMustExist: true });
    db.pragma("busy_timeout = 0");
    while (Atomics.load(flags, ${STOP}) === 0) {
      Atomics.wait(flags, ${STOP}, 0, workerData.intervalMs);
      if (Atomics.load(flags, ${STOP}) !== 0) break;
      try {
        db.pragma("wal_checkpoint(PASSIVE)");
      } catch {
        // Busy or failing: the next round tries again; the owner's automatic checkpoint is the backstop.
      }
    }
  } finally {
    try { db?.close(); } catch {}
    Atomics.store(flags, ${STATE}, ${CLOSED});
    Atomics.notify(flags, ${STATE});
  }
}
`;

export class Checkpointer {
  private readonly flags = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  private stopped = false;

  constructor(
    private readonly db: Database.Database,
    file: string,
    options: CheckpointerOptions = {},
  ) {
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.backstopPages ?? 10_000))}`);
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        flags: this.flags.buffer,
        file,
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        intervalMs: Math.max(1, Math.floor(options.intervalMs ?? 100)),
      },
    });
    // Never what keeps the process alive; a failed worker leaves checkpoints to the backstop.
    this.worker.unref();
    this.worker.on("error", (error) => {
      options.logger?.warn("background checkpoints stopped; SQLite's automatic checkpoints continue", { error });
      this.restoreAutocheckpoint();
    });
  }

  /**
   * Stop, synchronously: when this returns the worker holds no connection, so closing the
   * database next is the last close (which checkpoints and removes the log, as before).
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.flags, STOP, 1);
    Atomics.notify(this.flags, STOP);
    // Not started yet: it never will open a connection. Otherwise wait for it to close its own.
    if (Atomics.compareExchange(this.flags, STATE, IDLE, CANCELLED) !== IDLE) {
      const deadline = Date.now() + CLOSE_WAIT_MS;
      while (Atomics.load(this.flags, STATE) === OPEN && Date.now() < deadline) {
        Atomics.wait(this.flags, STATE, OPEN, deadline - Date.now());
      }
    }
    void this.worker.terminate();
    this.restoreAutocheckpoint();
  }

  private restoreAutocheckpoint(): void {
    if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
  }
}
