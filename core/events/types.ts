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

/** A record normalized to an event, or the reason it could not be. */
export type Normalized = { event: SecurityEvent } | { error: string };

/**
 * The JSON text an event was normalized from (`text.slice(start, end)`), with the normalization
 * context's position and, when the event's origin was set afterwards (a record's index in a
 * document), that position: enough to rebuild the same event from the text alone. The text is a
 * string, or a whole file's UTF-8 bytes (offsets are then byte offsets) that belong to the reader
 * alone: nothing else views their memory, so they may be moved to another thread.
 */
export interface RecordSlice {
  text: string | Uint8Array;
  start: number;
  end: number;
  contextPosition: number;
  position?: number;
}
