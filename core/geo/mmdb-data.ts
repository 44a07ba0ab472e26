import type { Buffer } from "node:buffer";
import { DataFileError, type PagedFile } from "./paged-file.js";

/**
 * The data section of a MaxMind DB file (format 2.0): self-describing values, each a control byte
 * (type in the top three bits, size in the low five) and its payload. Written from the published
 * specification (https://maxmind.github.io/MaxMind-DB/). The metadata at the file's end is
 * encoded the same way, as a section of its own.
 */

export type MmdbValue = string | number | bigint | boolean | Uint8Array | MmdbValue[] | { [key: string]: MmdbValue };

const POINTER = 1;
const STRING = 2;
const DOUBLE = 3;
const BYTES = 4;
const UINT16 = 5;
const UINT32 = 6;
const MAP = 7;
const INT32 = 8;
const UINT64 = 9;
const UINT128 = 10;
const ARRAY = 11;
const BOOLEAN = 14;
const FLOAT = 15;

/** Bytes an integer type may use at most. */
const INTEGER_BYTES: Record<number, number> = { [UINT16]: 2, [UINT32]: 4, [INT32]: 4, [UINT64]: 8, [UINT128]: 16 };

/** How deep maps and arrays may nest, and how many values one decode may produce: a damaged file
 * (say, a map whose values point back at it) stops at these instead of recursing without end. */
export const MAX_DEPTH = 32;
export const MAX_VALUES = 100_000;

/** A data section: bytes `start` to `end` of the file, pointers counted from `start`. */
export class DataSection {
  /** Offset of the next byte to read, from `start`. */
  private at = 0;
  private budget = 0;

  constructor(
    private readonly file: PagedFile,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The value at `offset` bytes into the section. */
  decode(offset: number): MmdbValue {
    this.at = offset;
    this.budget = MAX_VALUES;
    return this.value(0);
  }

  private fail(problem: string): DataFileError {
    return new DataFileError(`${this.file.path}: ${problem} (data at byte ${this.start + this.at})`);
  }

  private take(length: number): Buffer {
    if (this.at < 0 || this.at + length > this.end - this.start) {
      throw this.fail(`a value runs past the end of its section (${length} bytes wanted)`);
    }
    const bytes = this.file.bytes(this.start + this.at, length);
    this.at += length;
    return bytes;
  }

  private byte(): number {
    return this.unsigned(1);
  }

  /** An unsigned big-endian integer of up to six bytes. */
  private unsigned(length: number): number {
    if (this.at < 0 || this.at + length > this.end - this.start) {
      throw this.fail(`a value runs past the end of its section (${length} bytes wanted)`);
    }
    const value = this.file.uintBE(this.start + this.at, length);
    this.at += length;
    return value;
  }

  private bigUnsigned(length: number): bigint {
    let value = 0n;
    for (const byte of this.take(length)) value = (value << 8n) | BigInt(byte);
    return value;
  }

  private value(depth: number): MmdbValue {
    if (--this.budget < 0) throw this.fail(`one record holds more than ${MAX_VALUES} values`);
    const control = this.byte();
    let type = control >> 5;
    if (type === POINTER) return this.followPointer(control, depth);
    if (type === 0) {
      type = 7 + this.byte();
      if (type < 8 || type > 15) throw this.fail(`unknown extended type ${type}`);
    }
    const size = this.size(control & 0x1f);
    switch (type) {
      case STRING:
        return this.take(size).toString("utf8");
      case DOUBLE:
        if (size !== 8) throw this.fail(`a double of ${size} bytes (not 8)`);
        return this.take(8).readDoubleBE(0);
      case FLOAT:
        if (size !== 4) throw this.fail(`a float of ${size} bytes (not 4)`);
        return this.take(4).readFloatBE(0);
      case BYTES:
        return Uint8Array.from(this.take(size));
      case UINT16:
      case UINT32:
      case INT32:
      case UINT64:
      case UINT128: {
        if (size > INTEGER_BYTES[type]!) throw this.fail(`an integer of type ${type} in ${size} bytes`);
        if (type === UINT64 || type === UINT128) return this.bigUnsigned(size);
        const value = this.unsigned(size);
        // int32 is two's complement over 4 bytes; a shorter one is positive.
        return type === INT32 ? value | 0 : value;
      }
      case BOOLEAN:
        if (size > 1) throw this.fail(`a boolean of value ${size}`);
        return size === 1;
      case MAP:
        return this.map(size, depth);
      case ARRAY:
        return this.array(size, depth);
      default:
        throw this.fail(`type ${type} cannot hold a value`);
    }
  }

  /** The size in the control byte's low bits, or in the one to three bytes after it. */
  private size(low: number): number {
    if (low < 29) return low;
    if (low === 29) return 29 + this.byte();
    if (low === 30) return 285 + this.unsigned(2);
    return 65_821 + this.unsigned(3);
  }

  /** A pointer's target, decoded; reading goes on after the pointer itself. */
  private followPointer(control: number, depth: number): MmdbValue {
    const length = ((control >> 3) & 0x3) + 1;
    const high = control & 0x7;
    const low = this.unsigned(length);
    const target =
      length === 1
        ? high * 0x100 + low
        : length === 2
          ? high * 0x1_0000 + low + 2048
          : length === 3
            ? high * 0x100_0000 + low + 526_336
            : low;
    const after = this.at;
    this.at = target;
    if (target >= this.end - this.start) throw this.fail(`a pointer to ${target}, past the section's end`);
    if (this.file.byte(this.start + target) >> 5 === POINTER) throw this.fail("a pointer points to a pointer");
    const value = this.value(depth);
    this.at = after;
    return value;
  }

  private map(size: number, depth: number): { [key: string]: MmdbValue } {
    if (depth >= MAX_DEPTH) throw this.fail(`maps and arrays nested more than ${MAX_DEPTH} deep`);
    // No prototype: a key named "__proto__" is data like any other.
    const map: { [key: string]: MmdbValue } = Object.create(null);
    for (let i = 0; i < size; i++) {
      const key = this.value(depth + 1);
      if (typeof key !== "string") throw this.fail("a map key that is not a string");
      map[key] = this.value(depth + 1);
    }
    return map;
  }

  private array(size: number, depth: number): MmdbValue[] {
    if (depth >= MAX_DEPTH) throw this.fail(`maps and arrays nested more than ${MAX_DEPTH} deep`);
    const array: MmdbValue[] = [];
    for (let i = 0; i < size; i++) array.push(this.value(depth + 1));
    return array;
  }
}
