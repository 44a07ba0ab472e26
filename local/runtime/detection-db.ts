import { join } from "node:path";
import { openSqlite, type SqliteDatabase } from "../../core/store/sqlite/database.js";

/**
 * The detection side of the one-machine runtime lives in its own SQLite file next to the
 * incident store: the intake queue (inbox), the findings waiting for their workflow (outbox, with
 * those set aside because it can never start),
 * the sources' positions and the correlation state. One file, so that a batch of events, the
 * state it changed and the findings it produced commit together — and a separate one, because
 * that transaction spans the engine's awaits, which must never swallow the incident store's
 * own writes (they announce changes once durable).
 */

export type DetectionDatabase = SqliteDatabase;

/** The detection file inside a data directory. */
export const DETECTION_DATABASE_FILE = "detection.db";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    epoch_ms INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    body TEXT,
    processed_at INTEGER,
    error TEXT
  ) STRICT;
  CREATE INDEX inbox_pending ON inbox (epoch_ms, seq) WHERE processed_at IS NULL;
  CREATE INDEX inbox_processed ON inbox (processed_at) WHERE processed_at IS NOT NULL;

  CREATE TABLE outbox (
    incident_id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;

  CREATE TABLE source_positions (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source, key)
  ) STRICT, WITHOUT ROWID;
  `,
  // A finding whose workflow can never start (its input is over the 256 KiB quota, or invalid)
  // stays in the outbox, set aside with the reason, as an event the engine fails on stays in the
  // inbox: kept for the operator, out of the way of the findings behind it.
  `
  ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
  ALTER TABLE outbox ADD COLUMN error TEXT;
  CREATE INDEX outbox_dead_letters ON outbox (failed_at) WHERE error IS NOT NULL;
  `,
  // An event whose findings cannot depend on the order events come in has them found as soon as
  // it arrives (`found_at`); it stays pending until its time is taken in event-time order.
  `
  ALTER TABLE inbox ADD COLUMN found_at INTEGER;
  `,
];

export interface OpenDetectionDatabaseOptions {
  /** `full` (default) fsyncs every commit: an accepted event survives a power cut. */
  synchronous?: "full" | "normal";
}

/**
 * Open (creating owner-only and migrating as needed) the detection database of a data
 * directory; `:memory:` for tests. A damaged file is a `CorruptDatabaseError` naming it.
 */
export function openDetectionDatabase(
  dataDirOrMemory: string,
  options: OpenDetectionDatabaseOptions = {},
): DetectionDatabase {
  const file = dataDirOrMemory === ":memory:" ? ":memory:" : join(dataDirOrMemory, DETECTION_DATABASE_FILE);
  // Raw events hold addresses and identities: the file is readable by the owner only.
  return openSqlite(file, MIGRATIONS, { synchronous: options.synchronous });
}
