import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reader } from "maxmind";
import { afterAll, describe, expect, it } from "vitest";
import { type DatabaseSpec, encode, offsets, type Typed, writeDatabase } from "../../test/support/mmdb-writer.js";
import { MmdbReader } from "./mmdb.js";
import { MAX_DEPTH, MAX_VALUES } from "./mmdb-data.js";

/**
 * Our MaxMind DB reader over databases written by the test writer, each also read by the `maxmind`
 * package: every record size, every data type, pointer widths and size encodings, and damaged files.
 */

const dir = mkdtempSync(join(tmpdir(), "riposte-mmdb-"));
const opened: MmdbReader[] = [];
afterAll(() => {
  for (const reader of opened) reader.close();
  rmSync(dir, { recursive: true, force: true });
});

let written = 0;
function save(bytes: Buffer): string {
  const path = join(dir, `db-${written++}.mmdb`);
  writeFileSync(path, bytes);
  return path;
}

function open(bytes: Buffer): MmdbReader {
  const reader = MmdbReader.open(save(bytes));
  opened.push(reader);
  return reader;
}

const v4 = (text: string) => Uint8Array.from(text.split(".").map(Number));
const v6 = (groups: number[]) => Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));

/** Every type the format has, with sizes at each size-encoding boundary. */
const EVERY_TYPE: Typed = {
  type: "map",
  value: {
    short: { type: "string", value: "Zürich" },
    s28: { type: "string", value: "x".repeat(28) },
    s29: { type: "string", value: "y".repeat(29) },
    s284: { type: "string", value: "z".repeat(284) },
    s285: { type: "string", value: "w".repeat(285) },
    s65820: { type: "string", value: "v".repeat(65_820) },
    s65821: { type: "string", value: "u".repeat(65_821) },
    empty: { type: "string", value: "" },
    double: { type: "double", value: -123.456789 },
    float: { type: "float", value: 1.5 },
    bytes: { type: "bytes", value: Uint8Array.from([0, 1, 254, 255]) },
    u16: { type: "uint16", value: 65_535 },
    u16zero: { type: "uint16", value: 0 },
    u32: { type: "uint32", value: 4_294_967_295 },
    i32neg: { type: "int32", value: -2 },
    i32min: { type: "int32", value: -2_147_483_648 },
    i32pos: { type: "int32", value: 70_000 },
    u64: { type: "uint64", value: 18_446_744_073_709_551_615n },
    u128: { type: "uint128", value: 2n ** 128n - 1n },
    u128small: { type: "uint128", value: 5n },
    yes: { type: "boolean", value: true },
    no: { type: "boolean", value: false },
    list: {
      type: "array",
      value: [
        { type: "uint32", value: 1 },
        { type: "map", value: {} },
        { type: "array", value: [] },
      ],
    },
    nested: { type: "map", value: { inner: { type: "map", value: { deep: { type: "string", value: "ok" } } } } },
  },
};

/** What `EVERY_TYPE` decodes to, as our reader gives it. */
const EVERY_VALUE = {
  short: "Zürich",
  s28: "x".repeat(28),
  s29: "y".repeat(29),
  s284: "z".repeat(284),
  s285: "w".repeat(285),
  s65820: "v".repeat(65_820),
  s65821: "u".repeat(65_821),
  empty: "",
  double: -123.456789,
  float: 1.5,
  bytes: Uint8Array.from([0, 1, 254, 255]),
  u16: 65_535,
  u16zero: 0,
  u32: 4_294_967_295,
  i32neg: -2,
  i32min: -2_147_483_648,
  i32pos: 70_000,
  u64: 18_446_744_073_709_551_615n,
  u128: 2n ** 128n - 1n,
  u128small: 5n,
  yes: true,
  no: false,
  list: [1, {}, []],
  nested: { inner: { deep: "ok" } },
};

/** The same answer from both readers; `maxmind` gives Buffers for bytes and null for none. */
function sameAsMaxmind(ours: unknown, theirs: unknown): void {
  const normal = (value: unknown): unknown =>
    value instanceof Uint8Array
      ? [...value]
      : Array.isArray(value)
        ? value.map(normal)
        : value && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normal(item)]))
          : (value ?? null);
  expect(normal(ours)).toEqual(normal(theirs));
}

describe("MmdbReader over written databases", () => {
  it.each([24, 28, 32] as const)("finds IPv4 networks and misses the rest with %i-bit records", (recordSize) => {
    const data: Typed[] = [
      { type: "map", value: { name: { type: "string", value: "ten" } } },
      { type: "map", value: { name: { type: "string", value: "eight" } } },
    ];
    const at = offsets(data);
    const spec: DatabaseSpec = {
      ipVersion: 4,
      recordSize,
      data,
      networks: [
        { address: [10, 0, 0, 0], prefix: 8, data: at[0]! },
        { address: [8, 8, 8, 0], prefix: 24, data: at[1]! },
      ],
    };
    const bytes = writeDatabase(spec);
    const reader = open(bytes);
    const theirs = new Reader(bytes);

    expect(reader.metadata).toMatchObject({
      recordSize,
      ipVersion: 4,
      databaseType: "riposte-test",
      languages: ["en"],
    });
    expect(reader.get(v4("10.200.3.4"))).toEqual({ name: "ten" });
    expect(reader.get(v4("8.8.8.8"))).toEqual({ name: "eight" });
    expect(reader.get(v4("8.8.9.8"))).toBeUndefined();
    expect(reader.get(v4("0.0.0.0"))).toBeUndefined();
    expect(reader.get(v4("255.255.255.255"))).toBeUndefined();
    expect(reader.get(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]))).toBeUndefined();
    for (const text of ["10.0.0.0", "10.255.255.255", "8.8.8.0", "8.8.8.255", "9.0.0.0", "11.0.0.0", "8.8.7.255"]) {
      sameAsMaxmind(reader.get(v4(text)), theirs.get(text));
    }
  });

  it.each([24, 28, 32] as const)(
    "finds IPv6 networks, and IPv4 ones under ::/96, with %i-bit records",
    (recordSize) => {
      const data: Typed[] = [
        { type: "string", value: "documentation" },
        { type: "string", value: "v4 in v6" },
      ];
      const at = offsets(data);
      const bytes = writeDatabase({
        ipVersion: 6,
        recordSize,
        data,
        networks: [
          { address: [...v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0])], prefix: 32, data: at[0]! },
          { address: [1, 2, 3, 0], prefix: 24, data: at[1]! },
        ],
      });
      const reader = open(bytes);
      const theirs = new Reader(bytes);

      expect(reader.get(v6([0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 1]))).toBe("documentation");
      expect(reader.get(v4("1.2.3.4"))).toBe("v4 in v6");
      expect(reader.get(v6([0, 0, 0, 0, 0, 0, 0x0102, 0x0304]))).toBe("v4 in v6");
      expect(reader.get(v4("1.2.4.4"))).toBeUndefined();
      expect(reader.get(v6([0x2001, 0xdb9, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
      for (const text of [
        "2001:db8::",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db9::",
        "::1.2.3.4",
        "1.2.3.4",
        "1.2.4.0",
      ]) {
        sameAsMaxmind(reader.get(text.includes(":") ? v6(expand(text)) : v4(text)), theirs.get(text));
      }
    },
  );

  it("decodes every data type and size encoding as the specification defines them", () => {
    const bytes = writeDatabase({
      ipVersion: 4,
      recordSize: 24,
      data: [EVERY_TYPE],
      networks: [{ address: [1, 0, 0, 0], prefix: 8, data: 0 }],
    });

    const ours = open(bytes).get(v4("1.1.1.1"));

    expect(ours).toEqual(EVERY_VALUE);
    sameAsMaxmind(ours, new Reader(bytes).get("1.1.1.1"));
  });

  it("follows pointers of every width, to values and to map keys, and reads on after them", () => {
    // A padding value pushes the shared strings past the 2-byte and 3-byte pointer bases.
    const bytesOf = (length: number): Typed => ({ type: "bytes", value: new Uint8Array(length) });
    const text = (value: string): Typed => ({ type: "string", value });
    const head = [text("near"), bytesOf(3000), text("mid"), bytesOf(530_000), text("shared"), text("key")];
    const [near, , mid, , far, keyAt] = offsets(head) as number[] as [number, number, number, number, number, number];
    const record: Typed = {
      type: "map",
      value: {
        one: { type: "pointer", to: near, width: 1 },
        two: { type: "pointer", to: mid, width: 2 },
        three: { type: "pointer", to: far, width: 3 },
        four: { type: "pointer", to: far, width: 4 },
        after: { type: "uint16", value: 7 },
      },
    };
    // A map whose key is a pointer: written by hand (the writer spells keys as strings).
    const pointedKey = Buffer.concat([
      Buffer.from([(7 << 5) | 1]),
      encode({ type: "pointer", to: keyAt, width: 3 }),
      encode({ type: "boolean", value: true }),
    ]);
    const data = [...head, record];
    const recordAt = offsets(data).at(-1)!;
    const keyRecordAt = recordAt + encode(record).length;
    const base = writeDatabase({
      ipVersion: 4,
      recordSize: 28,
      data,
      networks: [
        { address: [1, 0, 0, 0], prefix: 8, data: recordAt },
        { address: [2, 0, 0, 0], prefix: 8, data: keyRecordAt },
      ],
    });
    const marker = base.lastIndexOf(Buffer.from("abcdef4d61784d696e642e636f6d", "hex"));
    const bytes = Buffer.concat([base.subarray(0, marker), pointedKey, base.subarray(marker)]);
    const reader = open(bytes);

    expect(reader.get(v4("1.2.3.4"))).toEqual({ one: "near", two: "mid", three: "shared", four: "shared", after: 7 });
    expect(reader.get(v4("2.2.2.2"))).toEqual({ key: true });
    sameAsMaxmind(reader.get(v4("1.2.3.4")), new Reader(bytes).get("1.2.3.4"));
  });

  it("reads 28-bit records whose high nibble is set, on either side of a node", () => {
    // Records past 2^24 need the shared middle byte: a 16 MiB value pushes the data that far.
    const padding: Typed = { type: "bytes", value: new Uint8Array(2 ** 24) };
    const data: Typed[] = [padding, { type: "string", value: "left" }, { type: "string", value: "right" }];
    const [, left, right] = offsets(data) as [number, number, number];
    const bytes = writeDatabase({
      ipVersion: 4,
      recordSize: 28,
      data,
      networks: [
        { address: [0, 0, 0, 0], prefix: 2, data: left },
        { address: [192, 0, 0, 0], prefix: 2, data: right },
      ],
    });
    const reader = open(bytes);
    const theirs = new Reader(bytes);

    expect(reader.get(v4("1.2.3.4"))).toBe("left");
    expect(reader.get(v4("200.1.1.1"))).toBe("right");
    expect(reader.get(v4("100.1.1.1"))).toBeUndefined();
    expect(reader.get(v4("150.1.1.1"))).toBeUndefined();
    for (const text of ["1.2.3.4", "200.1.1.1", "100.1.1.1", "150.1.1.1"])
      sameAsMaxmind(reader.get(v4(text)), theirs.get(text));
  });
});

describe("MmdbReader over damaged databases", () => {
  const good = () =>
    writeDatabase({
      ipVersion: 4,
      recordSize: 24,
      data: [{ type: "string", value: "x" }],
      networks: [{ address: [1, 0, 0, 0], prefix: 8, data: 0 }],
    });

  it("names the file when its metadata is missing or cut short: truncated, empty or not a database", () => {
    const whole = good();
    for (const bytes of [whole.subarray(0, 40), Buffer.alloc(0), Buffer.from("not a database\n".repeat(100))]) {
      const path = save(bytes);
      expect(() => MmdbReader.open(path)).toThrow(`${path}: no MaxMind DB metadata at its end`);
    }
    const cutInMetadata = save(whole.subarray(0, whole.length - 40));
    expect(() => MmdbReader.open(cutInMetadata)).toThrow(`${cutInMetadata}: a value runs past the end of its section`);
  });

  it("names the file when its metadata does not describe a database that fits", () => {
    const cases: [Record<string, Typed>, string][] = [
      [{ node_count: { type: "uint32", value: 1_000_000 } }, "does not fit before its metadata"],
      [{ record_size: { type: "uint16", value: 20 } }, "record size of 20 bits"],
      [{ ip_version: { type: "uint16", value: 5 } }, "IP version 5"],
      [{ binary_format_major_version: { type: "uint16", value: 3 } }, "binary format 3"],
      [{ node_count: { type: "string", value: "many" } }, "lacks node_count"],
    ];
    for (const [metadata, problem] of cases) {
      const path = save(
        writeDatabase({
          ipVersion: 4,
          recordSize: 24,
          metadata,
          data: [{ type: "string", value: "x" }],
          networks: [{ address: [1, 0, 0, 0], prefix: 8, data: 0 }],
        }),
      );
      expect(() => MmdbReader.open(path)).toThrow(path);
      expect(() => MmdbReader.open(path)).toThrow(problem);
    }
  });

  it("stops at a search tree that loops back on itself, and at a record past the data", () => {
    const bytes = good();
    // Node 0's right record points back to node 0: 255.255.255.255 would walk forever without a bound.
    const looping = Buffer.from(bytes);
    looping.writeUIntBE(0, 3, 3);
    const outside = Buffer.from(bytes);
    outside.writeUIntBE(0xff_fff0, 3, 3);

    expect(() => open(looping).get(v4("255.255.255.255"))).toThrow("deeper than 32 bits");
    expect(() => open(outside).get(v4("255.1.1.1"))).toThrow("outside the data section");
  });

  it("stops at a value that contains itself, a pointer to a pointer, a value past the section and an explosion of shared values", () => {
    const selfMap = Buffer.concat([
      Buffer.from([(7 << 5) | 1]),
      encode({ type: "string", value: "me" }),
      encode({ type: "pointer", to: 0, width: 1 }),
    ]);
    const pointerChain = Buffer.concat([
      encode({ type: "pointer", to: 2, width: 1 }),
      encode({ type: "pointer", to: 0, width: 1 }),
    ]);
    const overrun = Buffer.from(control(2, 20));
    // Three levels of 400 pointers each: 64 million values if decoded.
    const level = (to: number) => encode({ type: "array", value: Array(400).fill({ type: "pointer", to, width: 4 }) });
    const leaf = encode({ type: "array", value: Array(400).fill({ type: "boolean", value: true }) });
    const first = level(0);
    const explosionData = [level(first.length * 2), leaf];
    const explosion = Buffer.concat([level(first.length), ...explosionData]);
    const cases: [Buffer, string][] = [
      [selfMap, `nested more than ${MAX_DEPTH} deep`],
      [pointerChain, "a pointer points to a pointer"],
      [overrun, "runs past the end of its section"],
      [explosion, `more than ${MAX_VALUES} values`],
    ];
    for (const [data, problem] of cases) {
      const base = good();
      const marker = base.lastIndexOf(Buffer.from("abcdef4d61784d696e642e636f6d", "hex"));
      const treeAndSeparator = base.subarray(0, marker - encode({ type: "string", value: "x" }).length);
      const path = save(Buffer.concat([treeAndSeparator, data, base.subarray(marker)]));
      const reader = MmdbReader.open(path);
      opened.push(reader);
      expect(() => reader.get(v4("1.1.1.1"))).toThrow(path);
      expect(() => reader.get(v4("1.1.1.1"))).toThrow(problem);
    }
  });
});

/** A single control byte of a (non-extended) type and a size below 29. */
function control(type: number, size: number): number[] {
  return [(type << 5) | size];
}

/** The eight groups of an IPv6 address in text. */
function expand(text: string): number[] {
  const [head = "", tail = ""] = text.split("::");
  const groups = (part: string) => (part ? part.split(":").flatMap(group) : []);
  const group = (part: string): number[] =>
    part.includes(".")
      ? [(v4(part)[0]! << 8) | v4(part)[1]!, (v4(part)[2]! << 8) | v4(part)[3]!]
      : [Number.parseInt(part, 16)];
  const before = groups(head);
  const after = text.includes("::") ? groups(tail) : [];
  return [...before, ...Array(8 - before.length - after.length).fill(0), ...after];
}
