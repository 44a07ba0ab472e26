import type { Buffer } from "node:buffer";
import { normalizeObject } from "../events/normalize.js";
import type { SecurityEvent } from "../model/event.js";

/**
 * An event read, normalized and matched on a reader thread, as the engine receives it: its time,
 * the index entries its envelope matched, optionally the facts its detections' skip hints decide on,
 * and a way to rebuild the whole event — from the JSON text it was normalized from (parsed again
 * only if a detection needs the record), or as a copy when it did not come from JSON text.
 */
export interface PreparedEvent {
  readonly epochMs: number;
  /** Ids of the matched index entries (`IndexEntry.id`); interned, one array per distinct list. */
  readonly entryIds: readonly number[];
  /**
   * The skip facts of the stateful detections its entries concern (`scanHintsOf(detection).skip.facts(record)` of each,
   * in `statefulEntries` order, one after the other), when the reader sent them.
   */
  skipFacts(): readonly string[] | undefined;
  /** The event exactly as the reader normalized it (the engine asks once). */
  materialize(): SecurityEvent;
}

/** Rebuilds an event from the JSON text it was normalized from (see `RecordSlice`). */
export class SlicedEvent implements PreparedEvent {
  constructor(
    readonly epochMs: number,
    readonly entryIds: readonly number[],
    private readonly file: string,
    /** The JSON text, or its UTF-8 bytes (`sendableText`): offsets are byte offsets then. */
    private readonly text: string | Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly contextPosition: number,
    /** Position set on the event after normalizing it; -1 for none. */
    private readonly position: number,
    /** The batch's distinct facts, and each event's facts as indexes into them. */
    private readonly factTable: readonly string[] | undefined,
    private readonly factCodes: Int32Array | undefined,
    private readonly factsStart: number,
    private readonly factsEnd: number,
  ) {}

  /** The file's bytes this event is read from, when it was sent as bytes (see `BatchDecoder.finished`). */
  get bytes(): Buffer | undefined {
    return typeof this.text === "string" ? undefined : this.text;
  }

  skipFacts(): readonly string[] | undefined {
    const codes = this.factCodes;
    if (!codes || this.factsStart < 0) return undefined;
    const table = this.factTable!;
    const facts = new Array<string>(this.factsEnd - this.factsStart);
    for (let i = this.factsStart; i < this.factsEnd; i++) facts[i - this.factsStart] = table[codes[i]!]!;
    return facts;
  }

  materialize(): SecurityEvent {
    const source = this.text;
    const text =
      typeof source !== "string"
        ? source.toString("utf8", this.start, this.end)
        : this.start === 0 && this.end === source.length
          ? source
          : source.slice(this.start, this.end);
    const value = JSON.parse(text) as Record<string, unknown>;
    const result = normalizeObject(value, {
      origin: { file: this.file, position: this.contextPosition },
      positional: true,
    });
    if ("error" in result) throw new Error(`a prepared record no longer normalizes: ${result.error}`);
    if (this.position >= 0) result.event.origin = { file: this.file, position: this.position };
    return result.event;
  }
}

/** An event sent whole (flow and ALB lines, records that could not be sliced). */
export class CopiedEvent implements PreparedEvent {
  readonly epochMs: number;

  constructor(
    private readonly event: SecurityEvent,
    readonly entryIds: readonly number[],
  ) {
    this.epochMs = event.epochMs;
  }

  skipFacts(): undefined {
    return undefined;
  }

  materialize(): SecurityEvent {
    return this.event;
  }
}
