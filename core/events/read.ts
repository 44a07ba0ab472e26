import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip, gunzipSync } from "node:zlib";
import { readCompactCloudTrail } from "./compact-file.js";
import { FileParser, type SliceSink } from "./file-parser.js";
import { describeFsError, type InputFile, listInputFiles, logFileFacts, specialFileKind } from "./files.js";
import type { ReadItem, RecordSlice } from "./types.js";

/**
 * Streams every supported file format into events. Files up to `wholeFileLimit` bytes (on disk)
 * are read whole (the next one is read while the previous one is parsed) and decompressed in one
 * call, and larger ones are streamed line by line, so memory stays bounded by the largest small
 * file, not by the input. Nothing is thrown for bad input: unreadable files and records
 * come out as error items with the file, the position and the reason.
 */

export interface ReadOptions {
  /** Called once with the files that will be read (e.g. to size a progress bar). */
  onListed?: (files: readonly InputFile[]) => void;
  /** Called as bytes of a file (as stored, before decompression) are consumed. */
  onBytes?: (bytes: number) => void;
  /** Files larger than this many bytes are streamed instead of read whole (default 32 MiB). */
  wholeFileLimit?: number;
}

const DEFAULT_WHOLE_FILE_LIMIT = 32 * 1024 * 1024;

/**
 * A file's bytes (decompressed; the reader's alone, see `RecordSlice`), or why not; `salvage`: a
 * damaged gzip, streamed to keep whatever can be decompressed.
 */
type Loaded = { bytes: Buffer } | { error: string; salvage?: true } | { stream: true };

const isGzip = (buffer: Buffer): boolean => buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;

/** Every event (and every unreadable record) of the given files and directories, file by file. */
export async function* readEventFiles(paths: readonly string[], options: ReadOptions = {}): AsyncIterable<ReadItem> {
  for await (const batch of readEventBatches(paths, options)) yield* batch;
}

/** The same items as `readEventFiles`, in batches (cheaper to consume in bulk). */
export async function* readEventBatches(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncIterable<ReadItem[]> {
  const { files, errors } = await listInputFiles(paths);
  options.onListed?.(files);
  if (errors.length > 0) yield errors.map((error) => ({ error }));
  for await (const batch of readListedFiles(files, options)) yield batch.items;
}

/** A batch of one file's items; with `capture`, where each event came from (index for index). */
export interface FileBatch {
  /** Index of the file in the list read. */
  file: number;
  items: ReadItem[];
  slices?: (RecordSlice | undefined)[];
}

/**
 * The batches of listed files, in order, tagged with their file. The batches are the same with
 * or without `capture`, so a reader on another thread yields exactly what this one would.
 */
export async function* readListedFiles(
  files: readonly InputFile[],
  options: Pick<ReadOptions, "onBytes" | "wholeFileLimit"> & { capture?: boolean; blocking?: boolean } = {},
): AsyncIterable<FileBatch> {
  let next = 0;
  for await (const batch of readClaimedFiles(files, () => (next < files.length ? next++ : undefined), options)) {
    if (!("end" in batch)) yield batch;
  }
}

/** Marks that every batch of a file was yielded (a file may yield none). */
export interface FileEnd {
  file: number;
  end: true;
}

/**
 * The batches of the files `claim` hands out (indexes into `files`, increasing; undefined when
 * none is left), each file's followed by its end. Scan reader threads share one claim counter, so
 * whichever thread is free reads the next file. The next file is claimed (and read) while the
 * current one is parsed — unless `blocking`: then files read whole are read with synchronous
 * calls, each when its turn comes, for a thread that does nothing else (a scan reader), where
 * four asynchronous calls a file cost more CPU than the reads they overlap. The thread's event
 * loop still turns once a file, so the collector's tasks run as often as with asynchronous reads.
 */
export async function* readClaimedFiles(
  files: readonly InputFile[],
  claim: () => number | undefined,
  options: Pick<ReadOptions, "onBytes" | "wholeFileLimit"> & { capture?: boolean; blocking?: boolean } = {},
): AsyncIterable<FileBatch | FileEnd> {
  const limit = options.wholeFileLimit ?? DEFAULT_WHOLE_FILE_LIMIT;
  const capture = options.capture === true;
  const blocking = options.blocking === true;
  const load = (index: number | undefined): Promise<Loaded> | Loaded | undefined => {
    const file = index === undefined ? undefined : files[index];
    return file === undefined
      ? undefined
      : file.size > limit
        ? { stream: true }
        : blocking
          ? loadWholeBlocking(file.path)
          : loadWhole(file.path);
  };

  let index = claim();
  let pending = blocking ? undefined : load(index);
  while (index !== undefined) {
    const file = files[index]!;
    if (blocking) await turn();
    const loaded = blocking ? load(index)! : await pending!;
    // Start reading the next file while this one is parsed.
    const next = blocking ? undefined : claim();
    if (!blocking) pending = load(next);
    let batches: Iterable<FileBatch> | AsyncIterable<FileBatch>;
    if ("bytes" in loaded) {
      options.onBytes?.(file.size);
      batches = parseBytes(file.path, loaded.bytes, index, capture);
    } else if ("error" in loaded && !loaded.salvage) {
      options.onBytes?.(file.size);
      const items: ReadItem[] = [{ error: { file: file.path, position: 0, reason: loaded.error } }];
      batches = [capture ? { file: index, items, slices: [undefined] } : { file: index, items }];
    } else {
      // Large, or a damaged gzip: stream it to keep whatever can be decompressed.
      batches = streamFile(file.path, index, capture, options.onBytes);
    }
    yield* batches;
    yield { file: index, end: true };
    index = blocking ? claim() : next;
  }
}

/**
 * Opens a listed file for reading, refusing what is not (or is no longer) a regular file: a FIFO
 * put in its place after listing would block the read forever. Non-blocking, so opening a FIFO
 * returns at once; for a regular file the flag changes nothing.
 */
async function openRegular(path: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new NotRegularFile(`${specialFileKind(info)}: not a regular file, skipped`);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class NotRegularFile extends Error {
  override name = "NotRegularFile";
}

/** The smallest gzip file: a 10-byte header and an 8-byte trailer. */
const GZIP_MIN_BYTES = 18;

/**
 * A file named `.gz` that cannot be gzip data: empty, or cut off inside the header. (A `.gz` file
 * holding plain text is read as text: some downloads decompress and keep the name.)
 */
function truncatedGzip(path: string, buffer: Buffer): string | undefined {
  if (!/\.gz$/i.test(path)) return undefined;
  if (buffer.length === 0) return "gzip: empty file (0 bytes): truncated or not written";
  if (buffer[0] === 0x1f && buffer.length < GZIP_MIN_BYTES) return `gzip: truncated (${buffer.length} bytes)`;
  return undefined;
}

async function loadWhole(path: string): Promise<Loaded> {
  let buffer: Buffer;
  try {
    const handle = await openRegular(path);
    try {
      buffer = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { error: error instanceof NotRegularFile ? error.message : describeFsError(error) };
  }
  return loaded(path, buffer);
}

/** One turn of the event loop. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `loadWhole` with synchronous calls: the same checks (a regular file, opened non-blocking). */
function loadWholeBlocking(path: string): Loaded {
  let buffer: Buffer;
  try {
    const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) throw new NotRegularFile(`${specialFileKind(info)}: not a regular file, skipped`);
      buffer = readAllSync(fd, info.size);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { error: error instanceof NotRegularFile ? error.message : describeFsError(error) };
  }
  return loaded(path, buffer);
}

/**
 * The whole of an open file: the `size` bytes it held when opened, or however many it holds now
 * (a byte of room over `size`, so that a file of that size ends without growing the buffer).
 */
function readAllSync(fd: number, size: number): Buffer {
  let buffer = Buffer.allocUnsafeSlow(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const grown = Buffer.allocUnsafeSlow(buffer.length * 2);
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return buffer.subarray(0, length);
    length += read;
  }
}

/** A whole file's bytes, decompressed, or why not. */
function loaded(path: string, read: Buffer): Loaded {
  let buffer = read;
  const truncated = truncatedGzip(path, buffer);
  if (truncated) return { error: truncated };
  if (isGzip(buffer)) {
    try {
      // Synchronous on purpose: zlib's thread-pool version is twice as slow on whole files.
      buffer = gunzipSync(buffer, { chunkSize: outputChunkSize(buffer) });
    } catch (error) {
      return { error: `gzip: ${(error as Error).message}`, salvage: true };
    }
  }
  return { bytes: buffer };
}

/**
 * One output chunk for the whole file when the gzip trailer's size field (the last member's
 * size, modulo 2^32: a hint only) is right, so zlib need not gather 16 KiB chunks and copy them
 * together; bounded, because the field is whatever the file says. A wrong hint only costs chunks.
 */
function outputChunkSize(gzipped: Buffer): number {
  const hinted = gzipped.length >= 18 ? gzipped.readUInt32LE(gzipped.length - 4) + 1 : 0;
  return Math.min(Math.max(hinted, 64 * 1024), 32 * 1024 * 1024);
}

function decode(buffer: Buffer): string {
  const text = buffer.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parse the text of one log file (any supported format) as if read from `file`. */
export function parseLogText(text: string, file: string): ReadItem[] {
  return [...parseText(file, text, 0, false)].flatMap((batch) => batch.items);
}

/** A whole file's items: a compact CloudTrail file record by record, anything else as text. */
function* parseBytes(file: string, bytes: Buffer, fileIndex: number, capture: boolean): Iterable<FileBatch> {
  const compact = readCompactCloudTrail(file, bytes, capture);
  if (compact) {
    // One batch, as the general way gives for a one-line document.
    yield compact.slices
      ? { file: fileIndex, items: compact.items, slices: compact.slices }
      : { file: fileIndex, items: compact.items };
    return;
  }
  yield* parseText(file, decode(bytes), fileIndex, capture);
}

function* parseText(file: string, text: string, fileIndex: number, capture: boolean): Iterable<FileBatch> {
  const sink: SliceSink | undefined = capture ? { slices: [] } : undefined;
  const parser = new FileParser(file, logFileFacts(file), sink);
  let out: ReadItem[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    parser.line(raw, line, out);
    start = end + 1;
    if (out.length >= 4096) {
      yield batchOf(fileIndex, out, sink);
      out = [];
    }
  }
  parser.end(out);
  if (out.length > 0) yield batchOf(fileIndex, out, sink);
}

function batchOf(file: number, items: ReadItem[], sink: SliceSink | undefined): FileBatch {
  if (!sink) return { file, items };
  const slices = sink.slices;
  sink.slices = [];
  return { file, items, slices };
}

async function* streamFile(
  file: string,
  fileIndex: number,
  capture: boolean,
  onBytes?: (bytes: number) => void,
): AsyncIterable<FileBatch> {
  let gzipped: boolean;
  let handle: FileHandle;
  try {
    handle = await openRegular(file);
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzipped = isGzip(head.subarray(0, bytesRead));
    } catch (error) {
      await handle.close();
      throw error;
    }
  } catch (error) {
    const reason = error instanceof NotRegularFile ? error.message : describeFsError(error);
    const items: ReadItem[] = [{ error: { file, position: 0, reason } }];
    yield capture ? { file: fileIndex, items, slices: [undefined] } : { file: fileIndex, items };
    return;
  }
  // Reads the handle checked above (from the start; it closes it at the end).
  const raw = handle.createReadStream({ start: 0, highWaterMark: 1024 * 1024 });
  raw.on("data", (chunk) => onBytes?.(chunk.length));
  const stream = gzipped ? raw.pipe(createGunzip({ chunkSize: 1024 * 1024 })) : raw;
  if (gzipped) raw.on("error", (error) => stream.destroy(error));
  const sink: SliceSink | undefined = capture ? { slices: [] } : undefined;
  const parser = new FileParser(file, logFileFacts(file), sink);
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let line = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = carry + decoder.write(chunk);
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const out: ReadItem[] = [];
      let start = 0;
      let end = text.indexOf("\n", start);
      while (end >= 0) {
        line++;
        parser.line(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end), line, out);
        start = end + 1;
        end = text.indexOf("\n", start);
      }
      carry = text.slice(start);
      if (out.length > 0) yield batchOf(fileIndex, out, sink);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const reason =
      code.startsWith("Z_") || !code
        ? `${gzipped ? "gzip" : "read"}: ${(error as Error).message}`
        : describeFsError(error);
    raw.destroy();
    sink?.slices.push(undefined);
    yield batchOf(fileIndex, [{ error: { file, position: line, reason: `${reason} (after line ${line})` } }], sink);
    return;
  } finally {
    // Closes the file also when the caller stops reading early (the gunzip end alone would not).
    raw.destroy();
  }
  const out: ReadItem[] = [];
  const rest = carry + decoder.end();
  if (rest.length > 0) parser.line(rest, line + 1, out);
  parser.end(out);
  if (out.length > 0) yield batchOf(fileIndex, out, sink);
}
