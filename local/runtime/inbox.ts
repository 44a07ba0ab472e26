import type { SecurityEvent } from "../../core/model/event.js";
import { syncPointsOf } from "../../core/store/sqlite/database.js";
import type { SyncPoints } from "../../core/store/sqlite/sync-points.js";
import type { DetectionDatabase } from "./detection-db.js";
import type { AsyncLock } from "./lock.js";

/**
 * The durable intake queue: every accepted event is a row before anyone is told it was
 * accepted, and the detection loop takes pending rows in event-time order. An event is known by
 * its id and time, so a redelivery (an SQS retry, an overlapping poll, a client re-posting after
 * a lost answer) is recognised for as long as processed rows are kept (`runtime.dedupeHours`).
 */

export interface InboxEntry {
  seq: number;
  event: SecurityEvent;
  source: string;
  receivedAt: number;
  /** Its findings are already in the outbox (`markFound`): only its time is left to take. */
  found: boolean;
}

export interface AddResult {
  /** Events new to the inbox. */
  added: number;
  /** Events it already held (pending or processed within the dedupe window). */
  duplicates: number;
}

/** What the inbox stores an event under: its id and its time (a finding updated later is a new event). */
export function eventKey(event: Pick<SecurityEvent, "id" | "epochMs">): string {
  return `${event.id}|${event.epochMs}`;
}

interface InboxRow {
  seq: number;
  source: string;
  received_at: number;
  body: string;
  found_at: number | null;
}

function entryOf(row: InboxRow): InboxEntry {
  return {
    seq: row.seq,
    source: row.source,
    receivedAt: row.received_at,
    event: JSON.parse(row.body) as SecurityEvent,
    found: row.found_at !== null,
  };
}

interface PendingAdd {
  events: readonly SecurityEvent[];
  source: string;
  also?: () => void;
  resolve(result: AddResult): void;
  reject(error: unknown): void;
}

export class EventInbox {
  private readonly statements;
  private readonly insertOne;
  private readonly insertGroup;
  private readonly sync: SyncPoints;
  private readonly listeners = new Set<() => void>();
  private readonly queue: PendingAdd[] = [];
  private flushing = false;

  constructor(
    private readonly db: DetectionDatabase,
    private readonly lock: AsyncLock,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      insert: db.prepare(
        "INSERT OR IGNORE INTO inbox (event_key, epoch_ms, received_at, source, body) VALUES (?, ?, ?, ?, ?)",
      ),
      pending: db.prepare<[number], InboxRow>(
        "SELECT seq, source, received_at, body, found_at FROM inbox WHERE processed_at IS NULL ORDER BY epoch_ms, seq LIMIT ?",
      ),
      unfound: db.prepare<[number, number], InboxRow>(
        "SELECT seq, source, received_at, body, found_at FROM inbox WHERE processed_at IS NULL AND found_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
      ),
      found: db.prepare("UPDATE inbox SET found_at = ? WHERE seq = ?"),
      // The pending index only: processed rows, kept a day for dedupe, come first by number.
      firstPending: db.prepare<[], { seq: number | null }>(
        "SELECT min(seq) AS seq FROM inbox INDEXED BY inbox_pending WHERE processed_at IS NULL",
      ),
      last: db.prepare<[], { seq: number | null }>("SELECT max(seq) AS seq FROM inbox"),
      done: db.prepare("UPDATE inbox SET processed_at = ?, body = NULL, error = ? WHERE seq = ?"),
      count: db.prepare<[], { n: number; oldest: number | null }>(
        "SELECT count(*) AS n, min(received_at) AS oldest FROM inbox WHERE processed_at IS NULL",
      ),
      prune: db.prepare("DELETE FROM inbox WHERE processed_at IS NOT NULL AND processed_at < ?"),
      failed: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM inbox WHERE error IS NOT NULL"),
    };
    this.insertOne = (events: readonly SecurityEvent[], source: string, also?: () => void): AddResult => {
      const receivedAt = this.now();
      let added = 0;
      for (const event of events) {
        const info = this.statements.insert.run(
          eventKey(event),
          Math.round(event.epochMs),
          receivedAt,
          source,
          JSON.stringify(event),
        );
        added += info.changes;
      }
      also?.();
      return { added, duplicates: events.length - added };
    };
    this.sync = syncPointsOf(db);
    const insertGroup = db.transaction((group: readonly PendingAdd[]) => {
      const results = group.map((entry) => this.insertOne(entry.events, entry.source, entry.also));
      this.sync.mark();
      return results;
    });
    this.insertGroup = (group: readonly PendingAdd[]) => this.sync.durably(() => insertGroup.immediate(group));
  }

  /**
   * Persist events in one transaction (fsynced before this resolves, with every commit before it:
   * `SyncPoints.durably`), with `also` — a source's
   * new position — in the same transaction, so a position never runs ahead of its events. Adds
   * made in the same turn, or while a commit is under way, are committed together (one fsync).
   */
  add(events: readonly SecurityEvent[], source: string, also?: () => void): Promise<AddResult> {
    if (events.length === 0 && !also) return Promise.resolve({ added: 0, duplicates: 0 });
    const added = new Promise<AddResult>((resolve, reject) => {
      this.queue.push({ events, source, also, resolve, reject });
    });
    if (!this.flushing) {
      // The flush starts at the end of this turn: every delivery the server read in it shares one
      // commit, so a burst of POSTs pays one fsync per turn instead of one each.
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
    return added.then((result) => {
      if (result.added > 0) for (const listener of this.listeners) listener();
      return result;
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.lock.run(() => {
          const group = this.queue.splice(0);
          try {
            const results = this.insertGroup(group);
            for (const [index, entry] of group.entries()) entry.resolve(results[index]!);
          } catch {
            // One failing member (a position that cannot be written) must not sink the others.
            for (const entry of group) {
              try {
                entry.resolve(this.insertGroup([entry])[0]!);
              } catch (error) {
                entry.reject(error);
              }
            }
          }
        });
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Be told when events arrive (the detection loop wakes up). */
  onArrival(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The oldest pending events by event time (call with the lock held). */
  takePending(limit: number): InboxEntry[] {
    return this.statements.pending.all(limit).map(entryOf);
  }

  /**
   * Pending events whose findings are not yet found, in arrival order, after `afterSeq` (the
   * last one looked at: arrivals get ever larger numbers). Call with the lock held.
   */
  takeUnfound(afterSeq: number, limit: number): InboxEntry[] {
    return this.statements.unfound.all(afterSeq, limit).map(entryOf);
  }

  /** Where `takeUnfound` starts: just before the oldest pending event, else after the newest. */
  seqBeforePending(): number {
    const first = this.statements.firstPending.get()?.seq;
    return first != null ? first - 1 : (this.statements.last.get()?.seq ?? 0);
  }

  /**
   * Note that these pending events' findings are in the outbox (call inside the same transaction
   * that put them there): a replay after a crash takes their time but never finds them again.
   */
  markFound(seqs: readonly number[]): void {
    const at = this.now();
    for (const seq of seqs) this.statements.found.run(at, seq);
  }

  /**
   * Mark events processed (call inside the detection transaction); `error` dead-letters one. That
   * commit is not fsynced on its own (the next intake's is): lost in a power cut, the events are
   * pending again and detected again, their correlation writes lost with it, and a finding
   * started twice starts nothing.
   */
  markProcessed(seqs: readonly number[], error?: string): void {
    const at = this.now();
    for (const seq of seqs) this.statements.done.run(at, error ?? null, seq);
  }

  /** Pending events and when the oldest of them arrived. */
  backlog(): { pending: number; oldestReceivedAt?: number } {
    const row = this.statements.count.get();
    return { pending: row?.n ?? 0, ...(row?.oldest != null ? { oldestReceivedAt: row.oldest } : {}) };
  }

  /** Events set aside because detection kept failing on them. */
  deadLettered(): number {
    return this.statements.failed.get()?.n ?? 0;
  }

  /** Forget processed events older than `keepMs` (their ids stop deduplicating). */
  async prune(keepMs: number): Promise<number> {
    return this.lock.run(() => this.statements.prune.run(this.now() - keepMs).changes);
  }

  /** The database, for the loop's transaction. */
  get database(): DetectionDatabase {
    return this.db;
  }
}
