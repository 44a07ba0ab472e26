import { Buffer } from "node:buffer";
import type { Json } from "../detections/record.js";
import { scanHintsOf } from "../detections/scan-hints.js";
import type { StatefulDetection } from "../detections/types.js";
import type { FileBatch } from "../events/read.js";
import type { ReadError } from "../events/types.js";
import type { SecurityEvent } from "../model/event.js";
import type { FindingDetection } from "../model/incident.js";
import { activeEntries, classifyEntries, type EngineIndex, type IndexEntry, statefulEntries } from "./engine-index.js";
import { CopiedEvent, type PreparedEvent, SlicedEvent } from "./prepared.js";

/**
 * One read batch as a reader thread posts it: flat typed arrays and one copy of each text, so
 * that crossing threads costs little per event. `encodeBatch` runs on the reader (it normalizes,
 * matches and slices); `BatchDecoder` turns messages back into items on the engine's thread, in
 * the same order and with the same batch boundaries as reading in-thread gives.
 */

const ERROR = 0;
const SLICED = 1;
const COPIED = 2;

export interface PreparedBatchMessage {
  /** Index of the file in the whole scan's file list. */
  file: number;
  count: number;
  kinds: Uint8Array;
  times: Float64Array;
  /**
   * Texts the slices refer to; `null` first: the last text of this reader's previous batch. A
   * file's bytes or an ASCII text come as bytes (moved, not copied: see `sendableText`).
   */
  texts: (SentText | null)[];
  textIndex: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  contextPositions: Float64Array;
  /** -1: none. */
  positions: Float64Array;
  /** Distinct lists of matched entry ids, and each event's list. */
  lists: number[][];
  listIndex: Int32Array;
  /** Distinct skip facts; each event's facts as indexes into them, from `factsStart` (-1: none) to `factsEnd`. */
  factTable: string[];
  factCodes: Int32Array;
  factsStart: Int32Array;
  factsEnd: Int32Array;
  errors: ReadError[];
  copies: SecurityEvent[];
}

/** A text as sent: ASCII text or a file's bytes as UTF-8 bytes (offsets are byte offsets either way). */
export type SentText = string | Uint8Array;

/**
 * A file's bytes (`RecordSlice`: the reader's alone) as they are, to be moved to the engine's
 * thread, unless they sit in Node's shared pool of small buffers (then copied); an ASCII text as
 * its bytes in a buffer of its own; any other text as is. A text posted as a string is copied
 * into the engine thread's heap, where a large one is garbage only a full collection frees: with
 * hundreds of files that held hundreds of MB between collections (issue 20). Moved bytes are
 * memory outside the heap, freed once the engine has finished their events
 * (`BatchDecoder.finished`), and crossing costs no copy.
 */
export function sendableText(text: string | Uint8Array): SentText {
  if (typeof text !== "string") return text.buffer.byteLength > Buffer.poolSize ? text : new Uint8Array(text);
  if (text.length < MOVED_TEXT_MIN) return text;
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  // Every character below 0x80 is one byte in UTF-8; any other makes the encoding longer.
  const { read, written } = encoder.encodeInto(text, bytes);
  return read === text.length && written === text.length ? bytes : text;
}

const encoder = new TextEncoder();

/**
 * Shorter texts (a JSON line) are cheaper copied: V8 keeps them in the young generation, which is
 * collected often, and one buffer per line would cost more than the copy saves.
 */
export const MOVED_TEXT_MIN = 64 * 1024;

/** An item of a decoded batch: a prepared event, or an unreadable record passed through. */
export type PreparedItem = PreparedEvent | { error: ReadError };

/** A distinct list of matched entries, as the encoder knows it (see `BatchEncoder.listOf`). */
interface KnownList {
  ids: number[];
  /** The detections whose skip facts to send, or undefined (the list is not skippable). */
  skippers: StatefulDetection<FindingDetection>[] | undefined;
  /** The batch that last numbered it, and its number there. */
  batch: number;
  number: number;
}

interface ListNode {
  next?: Map<IndexEntry, ListNode>;
  list?: KnownList;
}

/** Distinct lists kept before the trie starts again (bounds memory; lists are few in practice). */
const MAX_KNOWN_LISTS = 10_000;

/** Encodes batches of one reader (it remembers the last text sent). */
export class BatchEncoder {
  private lastText: string | Uint8Array | undefined;
  /** The lists seen, by their entries in order: found without building a key per event. */
  private lists: ListNode = {};
  private knownLists = 0;
  private batches = 0;

  constructor(private readonly engineIndex: EngineIndex) {}

  private listOf(entries: readonly IndexEntry[]): KnownList {
    let node = this.lists;
    for (const entry of entries) {
      node.next ??= new Map();
      let child = node.next.get(entry);
      if (!child) {
        child = {};
        node.next.set(entry, child);
      }
      node = child;
    }
    if (!node.list) {
      if (this.knownLists >= MAX_KNOWN_LISTS) {
        this.lists = {};
        this.knownLists = 0;
        return this.listOf(entries);
      }
      this.knownLists++;
      node.list = {
        ids: entries.map((entry) => entry.id),
        skippers: classifyEntries(entries) === "skippable" ? [...statefulEntries(entries).keys()] : undefined,
        batch: 0,
        number: 0,
      };
    }
    return node.list;
  }

  encode(batch: FileBatch, file: number): { message: PreparedBatchMessage; transfer: ArrayBuffer[] } {
    const { items, slices } = batch;
    const count = items.length;
    const kinds = new Uint8Array(count);
    const times = new Float64Array(count);
    const textIndex = new Int32Array(count);
    const starts = new Int32Array(count);
    const ends = new Int32Array(count);
    const contextPositions = new Float64Array(count);
    const positions = new Float64Array(count);
    const listIndex = new Int32Array(count);
    const factsStart = new Int32Array(count).fill(-1);
    const factsEnd = new Int32Array(count);
    const texts: (SentText | null)[] = [];
    const lists: number[][] = [];
    const batchNumber = ++this.batches;
    const factTable: string[] = [];
    const factNumbers = new Map<string, number>();
    let factCodes = new Int32Array(count * 4);
    let factCount = 0;
    const errors: ReadError[] = [];
    const copies: SecurityEvent[] = [];
    let current: string | Uint8Array | undefined = this.lastText;
    let currentIndex = -1;

    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      if ("error" in item) {
        kinds[i] = ERROR;
        errors.push(item.error);
        continue;
      }
      const event = item.event;
      times[i] = event.epochMs;
      const entries = activeEntries(this.engineIndex.index.match(event.envelope), event.envelope.detail);
      const list = this.listOf(entries);
      if (list.batch !== batchNumber) {
        list.batch = batchNumber;
        list.number = lists.length;
        lists.push(list.ids);
      }
      listIndex[i] = list.number;
      const slice = slices?.[i];
      if (!slice) {
        kinds[i] = COPIED;
        copies.push(event);
        continue;
      }
      kinds[i] = SLICED;
      const detections = list.skippers;
      const record = event.envelope.detail as Json;
      // A deleted bucket policy needs the bucket history, whatever the skips say.
      if (detections && !(this.engineIndex.usesHistory && record.eventName === "DeleteBucketPolicy")) {
        factsStart[i] = factCount;
        for (const detection of detections) {
          const hint = scanHintsOf(detection)!.skip!;
          const found = hint.facts(record);
          if (found.length !== hint.count) throw new Error(`${detection.id}: skip facts count mismatch`);
          for (const fact of found) {
            let code = factNumbers.get(fact);
            if (code === undefined) {
              code = factTable.push(fact) - 1;
              factNumbers.set(fact, code);
            }
            if (factCount === factCodes.length) {
              const grown = new Int32Array(factCodes.length * 2 + 16);
              grown.set(factCodes);
              factCodes = grown;
            }
            factCodes[factCount++] = code;
          }
        }
        factsEnd[i] = factCount;
      }
      if (slice.text !== current || currentIndex < 0) {
        if (slice.text === current && texts.length === 0) texts.push(null);
        else texts.push(sendableText(slice.text));
        current = slice.text;
        currentIndex = texts.length - 1;
      }
      textIndex[i] = currentIndex;
      starts[i] = slice.start;
      ends[i] = slice.end;
      contextPositions[i] = slice.contextPosition;
      positions[i] = slice.position ?? -1;
    }
    this.lastText = current;
    const message: PreparedBatchMessage = {
      file,
      count,
      kinds,
      times,
      texts,
      textIndex,
      starts,
      ends,
      contextPositions,
      positions,
      lists,
      listIndex,
      factTable,
      factCodes: factCodes.slice(0, factCount),
      factsStart,
      factsEnd,
      errors,
      copies,
    };
    const transfer = [
      kinds,
      times,
      textIndex,
      starts,
      ends,
      contextPositions,
      positions,
      listIndex,
      message.factCodes,
      factsStart,
      factsEnd,
      ...texts.filter((text) => text instanceof Uint8Array),
    ].map((array) => array.buffer as ArrayBuffer);
    return { message, transfer };
  }
}

/** Decodes the batches of every reader (one per reader for the texts; lists are shared). */
export class BatchDecoder {
  private readonly interned = new Map<string, number[]>();
  private readonly lastTexts = new Map<number, string | Buffer>();
  /** Per file's bytes received, the events read from them that the engine has not finished. */
  private readonly unfinished = new Map<Buffer, number>();

  /** The items of `message` (posted by reader `reader`), reading from file `path`. */
  decode(message: PreparedBatchMessage, reader: number, path: string): PreparedItem[] {
    const texts = message.texts.map((text) =>
      text === null
        ? this.lastTexts.get(reader)
        : typeof text === "string"
          ? text
          : Buffer.from(text.buffer, text.byteOffset, text.byteLength),
    );
    const previous = this.lastTexts.get(reader);
    if (texts.length > 0) this.lastTexts.set(reader, texts[texts.length - 1]!);
    const lists = message.lists.map((list) => this.intern(list));
    const out: PreparedItem[] = new Array(message.count);
    let error = 0;
    let copy = 0;
    for (let i = 0; i < message.count; i++) {
      const kind = message.kinds[i];
      if (kind === ERROR) {
        out[i] = { error: message.errors[error++]! };
        continue;
      }
      const entryIds = lists[message.listIndex[i]!]!;
      if (kind === COPIED) {
        out[i] = new CopiedEvent(message.copies[copy++]!, entryIds);
        continue;
      }
      const text = texts[message.textIndex[i]!];
      if (text === undefined) throw new Error("a prepared batch refers to a text this reader never sent");
      if (typeof text !== "string") this.unfinished.set(text, (this.unfinished.get(text) ?? 0) + 1);

      out[i] = new SlicedEvent(
        message.times[i]!,
        entryIds,
        path,
        text,
        message.starts[i]!,
        message.ends[i]!,
        message.contextPositions[i]!,
        message.positions[i]!,
        message.factTable,
        message.factCodes,
        message.factsStart[i]!,
        message.factsEnd[i]!,
      );
    }
    // Bytes no event of this batch reads (and that are no longer the reader's last) are done too.
    for (const text of texts) if (text !== undefined) this.releaseIfDone(text);
    if (previous !== undefined && previous !== this.lastTexts.get(reader)) this.releaseIfDone(previous);
    return out;
  }

  /**
   * The engine has processed these items: a file's bytes that no unfinished event reads, and that
   * a later batch cannot name again (`null`: the reader's last text), are freed now. Moved bytes
   * live outside the heap, but a view of them that outlived a few young collections (the reorder
   * window holds a file's events a while) was freed only by a full collection: over a 2 GB scan,
   * 40–90 MB of finished files waited for one. Handing the memory to a new, unreferenced buffer
   * (`structuredClone` with `transfer`) detaches the old one and leaves the memory to the next
   * young collection.
   */
  finished(items: readonly PreparedItem[]): void {
    for (const item of items) {
      if (!(item instanceof SlicedEvent)) continue;
      const bytes = item.bytes;
      if (bytes === undefined) continue;
      const left = (this.unfinished.get(bytes) ?? 1) - 1;
      if (left > 0) this.unfinished.set(bytes, left);
      else {
        this.unfinished.delete(bytes);
        this.releaseIfDone(bytes);
      }
    }
  }

  private releaseIfDone(text: string | Buffer): void {
    if (typeof text === "string" || this.unfinished.has(text)) return;
    for (const last of this.lastTexts.values()) if (last === text) return;
    const memory = text.buffer;
    if (!(memory instanceof ArrayBuffer) || memory.byteLength === 0) return;
    try {
      structuredClone(memory, { transfer: [memory] });
    } catch {
      // Not transferable (never the case for bytes a reader moved): the collector frees it.
    }
  }

  private intern(list: number[]): number[] {
    const key = list.join(",");
    let interned = this.interned.get(key);
    if (!interned) {
      interned = list;
      this.interned.set(key, list);
    }
    return interned;
  }
}
