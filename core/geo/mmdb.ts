import { Buffer } from "node:buffer";
import { DataSection, type MmdbValue } from "./mmdb-data.js";
import { DataFileError, PagedFile } from "./paged-file.js";

/**
 * A MaxMind DB (`.mmdb`, format 2.x) reader that reads only the pages a lookup touches: the
 * metadata at the file's end, the search tree's nodes on the address's path, and its record in
 * the data section. Written from the published specification (https://maxmind.github.io/MaxMind-DB/).
 */

export interface MmdbMetadata {
  nodeCount: number;
  recordSize: 24 | 28 | 32;
  ipVersion: 4 | 6;
  databaseType: string;
  binaryFormatMajorVersion: number;
  binaryFormatMinorVersion: number;
  buildEpoch: bigint | number;
  languages: string[];
  description: { [language: string]: MmdbValue };
}

/** `\xAB\xCD\xEF` then `MaxMind.com`: its last occurrence starts the metadata. */
const METADATA_MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex");
/** The metadata, marker included, is at most this long: only the file's tail is searched. */
const METADATA_MAX_BYTES = 128 * 1024;
/** Sixteen zero bytes between the search tree and the data section. */
const SEPARATOR_BYTES = 16;

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  private readonly nodeBytes: number;
  private readonly data: DataSection;
  private readonly dataSize: number;
  /** Where IPv4 addresses start in an IPv6 tree (after 96 zero bits); 0 in an IPv4 tree. */
  private ipv4Root?: number;

  constructor(private readonly file: PagedFile) {
    const markerAt = findMetadata(file);
    this.metadata = readMetadata(file, markerAt + METADATA_MARKER.length);
    this.nodeBytes = this.metadata.recordSize / 4;
    const treeSize = this.metadata.nodeCount * this.nodeBytes;
    const dataStart = treeSize + SEPARATOR_BYTES;
    if (dataStart > markerAt) {
      throw new DataFileError(
        `${file.path}: its search tree (${this.metadata.nodeCount} nodes, ${treeSize} bytes) does not fit before its metadata (at byte ${markerAt}): the file is damaged`,
      );
    }
    if (file.bytes(treeSize, SEPARATOR_BYTES).some((byte) => byte !== 0)) {
      throw new DataFileError(`${file.path}: no data section separator after the search tree: the file is damaged`);
    }
    this.data = new DataSection(file, dataStart, markerAt);
    this.dataSize = markerAt - dataStart;
  }

  /** Open the database at `path` (reading only its metadata). */
  static open(path: string): MmdbReader {
    const file = new PagedFile(path);
    try {
      return new MmdbReader(file);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  get path(): string {
    return this.file.path;
  }

  /**
   * The record for an address given as its 4 (IPv4) or 16 (IPv6) bytes, most significant first;
   * undefined when the database holds none (or an IPv4 database is asked for an IPv6 address).
   */
  get(address: Uint8Array): MmdbValue | undefined {
    const { nodeCount } = this.metadata;
    const bits = address.length * 8;
    let node: number;
    if (address.length === 4) node = this.ipv4Start();
    else if (address.length === 16 && this.metadata.ipVersion === 6) node = 0;
    else return undefined;
    // At most one node per bit of the address: a damaged tree cannot loop.
    for (let bit = 0; bit < bits && node < nodeCount; bit++) {
      node = this.record(node, (address[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    if (node === nodeCount) return undefined;
    if (node < nodeCount) {
      throw new DataFileError(`${this.file.path}: its search tree is deeper than ${bits} bits: the file is damaged`);
    }
    const offset = node - nodeCount - SEPARATOR_BYTES;
    if (offset < 0 || offset >= this.dataSize) {
      throw new DataFileError(
        `${this.file.path}: a search tree record points outside the data section (${node}): the file is damaged`,
      );
    }
    return this.data.decode(offset);
  }

  /** Release the file. */
  close(): void {
    this.file.close();
  }

  private ipv4Start(): number {
    if (this.ipv4Root === undefined) {
      let node = 0;
      if (this.metadata.ipVersion === 6) {
        for (let bit = 0; bit < 96 && node < this.metadata.nodeCount; bit++) node = this.record(node, 0);
      }
      this.ipv4Root = node;
    }
    return this.ipv4Root;
  }

  /** The left (side 0) or right (side 1) record of a node: a node number, "no data", or a data pointer. */
  private record(node: number, side: number): number {
    const at = node * this.nodeBytes;
    switch (this.metadata.recordSize) {
      case 24:
        return this.file.uintBE(at + side * 3, 3);
      case 28: {
        // Seven bytes: the left record's low 24 bits, a shared middle byte (left's high nibble
        // first), then the right record's low 24 bits.
        const middle = this.file.byte(at + 3);
        const high = side === 0 ? middle >> 4 : middle & 0x0f;
        return high * 0x100_0000 + this.file.uintBE(side === 0 ? at : at + 4, 3);
      }
      case 32:
        return this.file.uintBE(at + side * 4, 4);
    }
  }
}

/**
 * The offset of the metadata marker's last occurrence in the file's last 128 KiB, searched from
 * the end in growing spans: the metadata is a few hundred bytes, so one page usually holds it.
 */
function findMetadata(file: PagedFile): number {
  const tailStart = Math.max(0, file.size - METADATA_MAX_BYTES);
  for (let span = file.pageSize; ; span *= 4) {
    const start = Math.max(tailStart, file.size - span);
    const at = file.bytes(start, file.size - start).lastIndexOf(METADATA_MARKER);
    if (at >= 0) return start + at;
    if (start === tailStart) break;
  }
  throw new DataFileError(
    `${file.path}: no MaxMind DB metadata at its end: it is truncated, damaged or not a MaxMind DB file`,
  );
}

function readMetadata(file: PagedFile, start: number): MmdbMetadata {
  const map = new DataSection(file, start, file.size).decode(0);
  const problem = (text: string) => new DataFileError(`${file.path}: its metadata ${text}`);
  if (typeof map !== "object" || map instanceof Uint8Array || Array.isArray(map)) throw problem("is not a map");
  const field = (key: string, ...types: string[]) => {
    const value = map[key];
    if (!types.includes(typeof value)) throw problem(`lacks ${key} (or it is not a ${types.join(" or ")})`);
    return value;
  };
  const nodeCount = field("node_count", "number") as number;
  const recordSize = field("record_size", "number");
  const ipVersion = field("ip_version", "number");
  const major = field("binary_format_major_version", "number") as number;
  if (major !== 2) throw problem(`says binary format ${major}, not 2`);
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) {
    throw problem(`gives a record size of ${recordSize} bits (24, 28 or 32 expected)`);
  }
  if (ipVersion !== 4 && ipVersion !== 6) throw problem(`gives IP version ${ipVersion} (4 or 6 expected)`);
  if (nodeCount < 1) throw problem("gives a search tree of no nodes");
  const languages = map.languages;
  const description = map.description;
  return {
    nodeCount,
    recordSize,
    ipVersion,
    databaseType: field("database_type", "string") as string,
    binaryFormatMajorVersion: major,
    binaryFormatMinorVersion: field("binary_format_minor_version", "number") as number,
    buildEpoch: field("build_epoch", "number", "bigint") as bigint | number,
    languages: Array.isArray(languages) ? languages.filter((language) => typeof language === "string") : [],
    description:
      typeof description === "object" && !Array.isArray(description) && !(description instanceof Uint8Array)
        ? { ...description }
        : {},
  };
}
