import { Buffer } from "node:buffer";

/**
 * Writes small MaxMind DB files for the reader's tests: any record size, every data type, pointers
 * of a chosen width, and deliberately broken layouts. Written from the published specification
 * (https://maxmind.github.io/MaxMind-DB/); the `maxmind` package reading the same bytes checks it.
 */

/** A value with its MaxMind DB type spelled out (a pointer names a data-section offset). */
export type Typed =
  | { type: "string"; value: string }
  | { type: "double" | "float" | "uint16" | "uint32" | "int32"; value: number }
  | { type: "uint64" | "uint128"; value: bigint }
  | { type: "bytes"; value: Uint8Array }
  | { type: "boolean"; value: boolean }
  | { type: "map"; value: Record<string, Typed> }
  | { type: "array"; value: Typed[] }
  | { type: "pointer"; to: number; width: 1 | 2 | 3 | 4 };

const TYPE_NUMBER = {
  pointer: 1,
  string: 2,
  double: 3,
  bytes: 4,
  uint16: 5,
  uint32: 6,
  map: 7,
  int32: 8,
  uint64: 9,
  uint128: 10,
  array: 11,
  boolean: 14,
  float: 15,
} as const;

/** The control byte(s) for a type and a payload size. */
function control(type: keyof typeof TYPE_NUMBER, size: number): number[] {
  const number = TYPE_NUMBER[type];
  const [low, extra] =
    size < 29
      ? [size, []]
      : size < 285
        ? [29, [size - 29]]
        : size < 65_821
          ? [30, [(size - 285) >> 8, (size - 285) & 0xff]]
          : [31, [(size - 65_821) >> 16, ((size - 65_821) >> 8) & 0xff, (size - 65_821) & 0xff]];
  return number < 8 ? [(number << 5) | low, ...extra] : [low, number - 7, ...extra];
}

/** Big-endian bytes of an unsigned integer, without leading zeros. */
function minimalBytes(value: bigint): number[] {
  const bytes: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  return bytes;
}

/** A value's encoding. */
export function encode(value: Typed): Buffer {
  switch (value.type) {
    case "string": {
      const bytes = Buffer.from(value.value, "utf8");
      return Buffer.concat([Buffer.from(control("string", bytes.length)), bytes]);
    }
    case "bytes":
      return Buffer.concat([Buffer.from(control("bytes", value.value.length)), value.value]);
    case "double": {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value.value);
      return Buffer.concat([Buffer.from(control("double", 8)), bytes]);
    }
    case "float": {
      const bytes = Buffer.alloc(4);
      bytes.writeFloatBE(value.value);
      return Buffer.concat([Buffer.from(control("float", 4)), bytes]);
    }
    case "uint16":
    case "uint32":
    case "uint64":
    case "uint128": {
      const bytes = minimalBytes(BigInt(value.value));
      return Buffer.from([...control(value.type, bytes.length), ...bytes]);
    }
    case "int32": {
      // Negative: all four bytes of the two's complement; positive: as few as needed.
      const bytes = value.value < 0 ? minimalBytes(BigInt(value.value >>> 0)) : minimalBytes(BigInt(value.value));
      return Buffer.from([...control("int32", bytes.length), ...bytes]);
    }
    case "boolean":
      return Buffer.from(control("boolean", value.value ? 1 : 0));
    case "map": {
      const entries = Object.entries(value.value);
      return Buffer.concat([
        Buffer.from(control("map", entries.length)),
        ...entries.flatMap(([key, item]) => [encode({ type: "string", value: key }), encode(item)]),
      ]);
    }
    case "array":
      return Buffer.concat([Buffer.from(control("array", value.value.length)), ...value.value.map(encode)]);
    case "pointer":
      return Buffer.from(pointer(value.to, value.width));
  }
}

function pointer(to: number, width: 1 | 2 | 3 | 4): number[] {
  const base = [0, 0, 2048, 526_336, 0][width]!;
  const value = to - base;
  if (value < 0 || (width < 4 && value >= 2 ** (8 * width + 3))) throw new Error(`${to} needs another pointer width`);
  const sizeBits = (width - 1) << 3;
  if (width === 4) return [(1 << 5) | sizeBits, ...[24, 16, 8, 0].map((shift) => (to >>> shift) & 0xff)];
  const payload = Array.from({ length: width }, (_, i) => (value >> (8 * (width - 1 - i))) & 0xff);
  return [(1 << 5) | sizeBits | (value >> (8 * width)), ...payload];
}

export interface Network {
  /** 4 or 16 bytes; an IPv4 network in an IPv6 database sits at `::a.b.c.d`. */
  address: number[];
  prefix: number;
  /** Offset of the network's record in the data section (see `data`). */
  data: number;
}

export interface DatabaseSpec {
  ipVersion: 4 | 6;
  recordSize: 24 | 28 | 32;
  networks: Network[];
  /** The data section's values, written one after another: `offsets(data)` gives where each starts. */
  data: Typed[];
  /** Metadata fields to add or override (encoded as given). */
  metadata?: Record<string, Typed>;
}

/** Where each value starts when written in order. */
export function offsets(data: Typed[]): number[] {
  let at = 0;
  return data.map((value) => {
    const start = at;
    at += encode(value).length;
    return start;
  });
}

interface TrieNode {
  children: [TrieNode | number | undefined, TrieNode | number | undefined];
}

const MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex");

/** The bytes of a database holding `spec`'s networks (non-overlapping) and data. */
export function writeDatabase(spec: DatabaseSpec): Buffer {
  const root: TrieNode = { children: [undefined, undefined] };
  for (const network of spec.networks) {
    let node = root;
    const address =
      spec.ipVersion === 6 && network.address.length === 4
        ? [...Array(12).fill(0), ...network.address]
        : network.address;
    const prefix = address.length > network.address.length ? network.prefix + 96 : network.prefix;
    for (let bit = 0; bit < prefix; bit++) {
      const side = (address[bit >> 3]! >> (7 - (bit & 7))) & 1;
      if (bit === prefix - 1) {
        node.children[side] = -1 - network.data;
      } else {
        const next = node.children[side] ?? { children: [undefined, undefined] };
        if (typeof next === "number") throw new Error("overlapping networks");
        node.children[side] = next;
        node = next;
      }
    }
  }
  const nodes: TrieNode[] = [];
  const number = new Map<TrieNode, number>();
  const queue = [root];
  for (let node = queue.shift(); node; node = queue.shift()) {
    number.set(node, nodes.length);
    nodes.push(node);
    for (const child of node.children) if (child && typeof child === "object") queue.push(child);
  }
  const nodeCount = nodes.length;
  const recordOf = (child: TrieNode | number | undefined): number =>
    child === undefined ? nodeCount : typeof child === "number" ? nodeCount + 16 + (-1 - child) : number.get(child)!;
  const tree = Buffer.concat(
    nodes.map((node) => nodeBytes(recordOf(node.children[0]), recordOf(node.children[1]), spec.recordSize)),
  );
  const metadata: Record<string, Typed> = {
    node_count: { type: "uint32", value: nodeCount },
    record_size: { type: "uint16", value: spec.recordSize },
    ip_version: { type: "uint16", value: spec.ipVersion },
    database_type: { type: "string", value: "riposte-test" },
    languages: { type: "array", value: [{ type: "string", value: "en" }] },
    binary_format_major_version: { type: "uint16", value: 2 },
    binary_format_minor_version: { type: "uint16", value: 0 },
    build_epoch: { type: "uint64", value: 1_700_000_000n },
    description: { type: "map", value: { en: { type: "string", value: "test database" } } },
    ...spec.metadata,
  };
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...spec.data.map(encode),
    MARKER,
    encode({ type: "map", value: metadata }),
  ]);
}

function nodeBytes(left: number, right: number, recordSize: 24 | 28 | 32): Buffer {
  const bytes = Buffer.alloc(recordSize / 4);
  if (recordSize === 24) {
    bytes.writeUIntBE(left, 0, 3);
    bytes.writeUIntBE(right, 3, 3);
  } else if (recordSize === 28) {
    bytes.writeUIntBE(left & 0xff_ffff, 0, 3);
    bytes[3] = ((left >>> 24) << 4) | (right >>> 24);
    bytes.writeUIntBE(right & 0xff_ffff, 4, 3);
  } else {
    bytes.writeUInt32BE(left, 0);
    bytes.writeUInt32BE(right, 4);
  }
  return bytes;
}
