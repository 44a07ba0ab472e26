import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/seeded-random.js";
import { DataFileError, PagedFile } from "./paged-file.js";

const dir = mkdtempSync(join(tmpdir(), "riposte-paged-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `length` bytes from a fixed seed, and those bytes. */
function randomFile(length: number): { path: string; bytes: Buffer } {
  const random = seededRandom(length);
  const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  const path = join(dir, `file-${length}`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe("PagedFile", () => {
  it("gives the file's bytes at any offset and length, within a page or across several", () => {
    const { path, bytes } = randomFile(1_000);
    // Pages of 64 bytes and a cache of 3: most reads miss and evict.
    const file = new PagedFile(path, 64, 3);
    const random = seededRandom(1);

    for (let i = 0; i < 2_000; i++) {
      const offset = Math.floor(random() * 1_000);
      const length = Math.floor(random() * Math.min(200, 1_000 - offset));
      expect(file.bytes(offset, length).equals(bytes.subarray(offset, offset + length)), `${offset}+${length}`).toBe(
        true,
      );
      expect(file.byte(offset)).toBe(bytes[offset]);
      const width = Math.min(6, 1_000 - offset);
      expect(file.uintBE(offset, width)).toBe(bytes.readUIntBE(offset, width));
    }
    expect(file.size).toBe(1_000);
    file.close();
  });

  it("refuses a read past the end, or at a negative offset, naming the file", () => {
    const { path } = randomFile(100);
    const file = new PagedFile(path, 64, 2);

    expect(() => file.bytes(90, 20)).toThrow(DataFileError);
    expect(() => file.bytes(90, 20)).toThrow(`${path}: bytes 90–110 lie past its end (100 bytes)`);
    expect(() => file.byte(100)).toThrow(path);
    expect(() => file.uintBE(-1, 2)).toThrow(path);
    expect(file.bytes(100, 0).length).toBe(0);
    file.close();
  });
});
