import type { EventOrigin, SecurityEvent } from "../model/event.js";

/** A record that could not be read: the file, the record's position in it (0: the whole file), why. */
export interface ReadError {
  file: string;
  position: number;
  reason: string;
}

/** What intake yields: an event, or an error that the caller reports and counts (never throws). */
export type ReadItem = { event: SecurityEvent } | { error: ReadError };

/** Where a record came from, and whether that place identifies it stably. */
export interface RecordContext {
  origin?: EventOrigin;
  /** True for a file and position (ids of records without one derive from it); false for HTTP bodies. */
  positional: boolean;
}

/** A record normalised to an event, or the reason it could not be. */
export type Normalized = { event: SecurityEvent } | { error: string };
