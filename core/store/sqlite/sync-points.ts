import type Database from "better-sqlite3";
import type { Logger } from "../../log.js";

/**
 * When the one-machine databases fsync. Every commit runs with `synchronous=NORMAL`: in WAL mode
 * it is in the log when the write returns, so it survives the process being killed, but not yet
 * a power cut or an OS crash. A sync point — one small commit with `synchronous=FULL`, which
 * fsyncs the log and so every commit before it — follows each turn of the event loop that wrote,
 * and what must survive a power cut before anyone is told waits for it: the store's change
 * stream (`afterSync`), an answer (`durable()`), a write committed durably on its own
 * (`commitDurably`, the intake's 202). One fsync per turn instead of one per write: a power cut
 * loses at most the writes of the last turn, none of which was announced or answered. With
 * `fsync: false` (`synchronous: "normal"`, `:memory:`) sync points fsync nothing.
 */

const MARK_TABLE = `CREATE TABLE IF NOT EXISTS riposte_sync_mark (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
) STRICT`;

export interface SyncPointsOptions {
  /** Fsync at sync points (`synchronous: "full"`, a file); false: sync points only order. */
  fsync: boolean;
  logger?: Logger;
}

export class SyncPoints {
  private readonly fsync: boolean;
  private readonly logger?: Logger;
  private readonly statements;
  /** Callbacks waiting for the next sync point, in the order they were queued. */
  private waiting: { done: () => void; failed: (error: unknown) => void }[] = [];
  private scheduled = false;
  private retryMs = 0;

  constructor(
    private readonly db: Database.Database,
    options: SyncPointsOptions,
  ) {
    this.fsync = options.fsync;
    this.logger = options.logger;
    db.exec(MARK_TABLE);
    db.pragma("synchronous = NORMAL");
    // Not prepared statements for the two settings: SQLite applies `PRAGMA synchronous = …` when
    // the statement is compiled, so running a prepared one again changes nothing.
    this.statements = {
      mark: db.prepare("INSERT INTO riposte_sync_mark (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1"),
    };
  }

  /** A write was committed: a sync point follows at the end of this turn. */
  wrote(): void {
    this.schedule();
  }

  /** Run `callback` after the next sync point (in order with the others). */
  afterSync(callback: () => void): void {
    this.waiting.push({ done: callback, failed: noop });
    this.schedule();
  }

  /** Resolves once everything committed so far survives a power cut. */
  durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ done: resolve, failed: reject });
      this.schedule();
    });
  }

  /**
   * Commit `write` (one immediate transaction) with `synchronous=FULL`: it and every commit before
   * it survive a power cut when this returns. The sync mark is written with it, so the fsync
   * happens even when `write` changes nothing.
   */
  commitDurably<T>(write: () => T): T {
    return this.durably(() =>
      this.db
        .transaction(() => {
          const result = write();
          this.mark();
          return result;
        })
        .immediate(),
    );
  }

  /**
   * Run `commit`, which commits one transaction that calls `mark()`, with `synchronous=FULL`
   * (for a caller that builds its own transaction, e.g. through a wrapped connection).
   */
  durably<T>(commit: () => T): T {
    if (this.db.inTransaction) throw new Error("commitDurably inside an open transaction would fsync nothing");
    if (!this.fsync) return commit();
    this.db.pragma("synchronous = FULL");
    try {
      const result = commit();
      this.synced();
      return result;
    } finally {
      this.db.pragma("synchronous = NORMAL");
    }
  }

  /** Write the sync mark (inside the transaction `durably` commits), so its commit always fsyncs. */
  mark(): void {
    if (this.fsync) this.statements.mark.run();
  }

  /** A sync point now, if anything waits (closing). */
  syncNow(): void {
    if (this.waiting.length > 0 || this.scheduled) this.point();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.point();
    };
    // Not unref'd: someone waits for this point, so the process must live to make it.
    if (this.retryMs > 0) setTimeout(run, this.retryMs);
    else setImmediate(run);
  }

  private point(): void {
    if (!this.db.open) {
      // Closed (after its last point): nothing more can become durable; no one is left waiting.
      this.fail(new Error("the database is closed"));
      return;
    }
    if (this.db.inTransaction) {
      // A transaction spanning awaits (the detection batch) is open: the point follows its end.
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        this.point();
      }, 1);
      return;
    }
    try {
      if (this.fsync) this.commitDurably(() => undefined);
      else this.synced();
      this.retryMs = 0;
    } catch (error) {
      // The disk refused (full, I/O error): those awaiting `durable()` are told; changes stay
      // unannounced until a later point succeeds.
      this.retryMs = Math.min(Math.max(this.retryMs * 2, 100), 5000);
      this.logger?.error("sync point failed; retrying", { error, retryMs: this.retryMs });
      this.fail(error);
      if (this.waiting.length > 0) this.schedule();
    }
  }

  /** Tell those awaiting `durable()` that it failed; changes to announce stay for the next point. */
  private fail(error: unknown): void {
    this.waiting = this.waiting.filter((entry) => {
      if (entry.failed === noop) return true;
      entry.failed(error);
      return false;
    });
  }

  private synced(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) {
      try {
        entry.done();
      } catch (error) {
        this.logger?.error("after-sync callback failed", { error });
      }
    }
  }
}

const noop = () => {};
