import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip, gunzipSync } from "node:zlib";
import { FileParser } from "./file-parser.js";
import { describeFsError, type InputFile, listInputFiles, logFileFacts } from "./files.js";
import type { ReadItem } from "./types.js";

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

type Loaded = { text: string } | { error: string } | { stream: true };

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
  const limit = options.wholeFileLimit ?? DEFAULT_WHOLE_FILE_LIMIT;
  const { files, errors } = await listInputFiles(paths);
  options.onListed?.(files);
  if (errors.length > 0) yield errors.map((error) => ({ error }));

  const load = (file: InputFile | undefined): Promise<Loaded> | undefined =>
    file === undefined ? undefined : file.size > limit ? Promise.resolve({ stream: true }) : loadWhole(file.path);

  let pending = load(files[0]);
  for (let index = 0; index < files.length; index++) {
    const file = files[index]!;
    const loaded = await pending!;
    // Start decompressing the next file while this one is parsed.
    pending = load(files[index + 1]);
    if ("text" in loaded) {
      options.onBytes?.(file.size);
      yield* parseText(file.path, loaded.text);
    } else if ("error" in loaded && !loaded.error.startsWith("gzip:")) {
      options.onBytes?.(file.size);
      yield [{ error: { file: file.path, position: 0, reason: loaded.error } }];
    } else {
      // Large, or a damaged gzip: stream it to keep whatever can be decompressed.
      yield* streamFile(file.path, options.onBytes);
    }
  }
}

async function loadWhole(path: string): Promise<Loaded> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    return { error: describeFsError(error) };
  }
  if (isGzip(buffer)) {
    try {
      // Synchronous on purpose: zlib's thread-pool version is twice as slow on whole files.
      buffer = gunzipSync(buffer);
    } catch (error) {
      return { error: `gzip: ${(error as Error).message}` };
    }
  }
  return { text: decode(buffer) };
}

function decode(buffer: Buffer): string {
  const text = buffer.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parse the text of one log file (any supported format) as if read from `file`. */
export function parseLogText(text: string, file: string): ReadItem[] {
  return [...parseText(file, text)].flat();
}

function* parseText(file: string, text: string): Iterable<ReadItem[]> {
  const parser = new FileParser(file, logFileFacts(file));
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
      yield out;
      out = [];
    }
  }
  parser.end(out);
  if (out.length > 0) yield out;
}

async function* streamFile(file: string, onBytes?: (bytes: number) => void): AsyncIterable<ReadItem[]> {
  let gzipped: boolean;
  try {
    const handle = await open(file, "r");
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzipped = isGzip(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (error) {
    yield [{ error: { file, position: 0, reason: describeFsError(error) } }];
    return;
  }
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  raw.on("data", (chunk) => onBytes?.(chunk.length));
  const stream = gzipped ? raw.pipe(createGunzip({ chunkSize: 1024 * 1024 })) : raw;
  if (gzipped) raw.on("error", (error) => stream.destroy(error));
  const parser = new FileParser(file, logFileFacts(file));
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
      if (out.length > 0) yield out;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const reason =
      code.startsWith("Z_") || !code
        ? `${gzipped ? "gzip" : "read"}: ${(error as Error).message}`
        : describeFsError(error);
    raw.destroy();
    yield [{ error: { file, position: line, reason: `${reason} (after line ${line})` } }];
    return;
  }
  const out: ReadItem[] = [];
  const rest = carry + decoder.end();
  if (rest.length > 0) parser.line(rest, line + 1, out);
  parser.end(out);
  if (out.length > 0) yield out;
}
