import { Buffer } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/**
 * A read-only file read a page at a time at the offsets asked for (`fs.readSync` at a position),
 * keeping the most recently used pages: a lookup in a 28 MB database touches a few dozen pages,
 * so nothing reads the whole file. The file is opened once and kept open for the reader's life.
 */

/** A data file shorter than, or not shaped like, what its reader expects; the message names it. */
export class DataFileError extends Error {
  override readonly name = "DataFileError";
}

export const PAGE_SIZE = 4096;
/** Pages kept per file (2 MiB at 4 KiB): the top of a search tree stays, the rest comes and goes. */
export const CACHED_PAGES = 512;

export class PagedFile {
  readonly size: number;
  private readonly fd: number;
  /** Page number → bytes, least recently used first (a Map keeps insertion order). */
  private readonly pages = new Map<number, Buffer>();
  private lastNumber = -1;
  private lastPage: Buffer = Buffer.alloc(0);

  constructor(
    readonly path: string,
    readonly pageSize = PAGE_SIZE,
    readonly cachedPages = CACHED_PAGES,
  ) {
    this.fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  /** The byte at `offset`. */
  byte(offset: number): number {
    this.check(offset, 1);
    const number = Math.floor(offset / this.pageSize);
    return this.page(number)[offset - number * this.pageSize]!;
  }

  /** The unsigned big-endian integer in `length` (at most 6) bytes from `offset`, copying nothing. */
  uintBE(offset: number, length: number): number {
    this.check(offset, length);
    let number = Math.floor(offset / this.pageSize);
    let page = this.page(number);
    let index = offset - number * this.pageSize;
    let value = 0;
    for (let i = 0; i < length; i++) {
      if (index === page.length) {
        page = this.page(++number);
        index = 0;
      }
      value = value * 256 + page[index++]!;
    }
    return value;
  }

  /** `length` bytes from `offset`: a view of a cached page, or a copy when they span pages. */
  bytes(offset: number, length: number): Buffer {
    this.check(offset, length);
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / this.pageSize);
    const start = offset - first * this.pageSize;
    if (start + length <= this.pageSize) return this.page(first).subarray(start, start + length);
    const copy = Buffer.allocUnsafe(length);
    for (let copied = 0; copied < length; ) {
      const at = offset + copied;
      const number = Math.floor(at / this.pageSize);
      const from = at - number * this.pageSize;
      copied += this.page(number).copy(copy, copied, from, Math.min(this.pageSize, from + length - copied));
    }
    return copy;
  }

  /** Release the file; later reads fail. */
  close(): void {
    closeSync(this.fd);
    this.pages.clear();
    this.lastNumber = -1;
  }

  private check(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new DataFileError(`${this.path}: asked for ${length} bytes at offset ${offset}`);
    }
    if (offset + length > this.size) {
      throw new DataFileError(
        `${this.path}: bytes ${offset}–${offset + length} lie past its end (${this.size} bytes): the file is truncated or damaged`,
      );
    }
  }

  private page(number: number): Buffer {
    if (number === this.lastNumber) return this.lastPage;
    let page = this.pages.get(number);
    if (page) {
      this.pages.delete(number);
    } else {
      const start = number * this.pageSize;
      const length = Math.min(this.pageSize, this.size - start);
      // A full cache gives up its least recently used page, whose buffer is reused when it fits.
      let spare: Buffer | undefined;
      if (this.pages.size >= this.cachedPages) {
        const oldest = this.pages.keys().next().value!;
        spare = this.pages.get(oldest);
        this.pages.delete(oldest);
        if (oldest === this.lastNumber) this.lastNumber = -1;
      }
      page = spare?.length === length ? spare : Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const got = readSync(this.fd, page, read, length - read, start + read);
        if (got === 0) throw new DataFileError(`${this.path}: shrank while being read (at byte ${start + read})`);
        read += got;
      }
    }
    this.pages.set(number, page);
    this.lastNumber = number;
    this.lastPage = page;
    return page;
  }
}
