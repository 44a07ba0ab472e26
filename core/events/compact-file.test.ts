import { Buffer } from "node:buffer";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readCompactCloudTrail } from "./compact-file.js";
import { parseLogText, readListedFiles } from "./read.js";
import type { ReadItem } from "./types.js";

/** A CloudTrail record with `eventVersion` first, as CloudTrail writes it. */
const record = (n: number, extra: Record<string, unknown> = {}) => ({
  eventVersion: "1.09",
  userIdentity: { type: "IAMUser", accountId: "111122223333", userName: `user${n}` },
  eventTime: `2024-05-01T10:00:${String(n % 60).padStart(2, "0")}Z`,
  eventSource: "s3.amazonaws.com",
  eventName: "ListBuckets",
  awsRegion: "us-east-1",
  sourceIPAddress: "81.2.69.142",
  eventID: `id-${n}`,
  recipientAccountId: "111122223333",
  ...extra,
});

const dir = mkdtempSync(join(tmpdir(), "riposte-compact-"));

/** What reading `text` as a file gives (items and slices), and what the general parser gives. */
async function both(name: string, text: string | Buffer, gzip = false) {
  const path = join(dir, name);
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  const items: ReadItem[] = [];
  for await (const batch of readListedFiles([{ path, size: statSync(path).size }])) items.push(...batch.items);
  const general = parseLogText(bytes.toString("utf8").replace(/^\uFEFF/, ""), path);
  return { items, general, compact: readCompactCloudTrail(path, bytes, true) };
}

describe("compact CloudTrail files", () => {
  it("reads each record on its own and gives exactly what parsing the whole file gives", async () => {
    const records = [record(1), record(2, { userAgent: "navigateur é ✓ 🛡" }), record(3)];
    const text = JSON.stringify({ Records: records });
    const { items, general, compact } = await both("plain.json.gz", text, true);
    expect(compact).toBeDefined();
    expect(items).toEqual(general);
    expect(items).toHaveLength(3);
    // Slices are byte ranges of the file, each one record.
    const bytes = Buffer.from(text);
    compact!.slices!.forEach((slice, index) => {
      expect(JSON.parse(bytes.toString("utf8", slice!.start, slice!.end))).toEqual(records[index]);
      expect(slice).toMatchObject({ contextPosition: 1, position: index + 1 });
    });
  });

  it("keeps records that do not normalize as errors at their position, as the general way does", async () => {
    const { eventTime: _, ...noTime } = record(2);
    const { items, general, compact } = await both(
      "bad-record.json",
      JSON.stringify({ Records: [record(1), noTime, record(3)] }),
    );
    expect(compact).toBeDefined();
    expect(items).toEqual(general);
    expect(items[1]).toMatchObject({ error: { position: 2 } });
  });

  it("falls back where a cut would not be a record's boundary", async () => {
    const cases: [string, string][] = [
      // A nested object whose first member is eventVersion, after another object in an array.
      [
        "nested",
        JSON.stringify({ Records: [record(1, { requestParameters: { list: [{ a: 1 }, record(9)] } }), record(2)] }),
      ],
      // The separator's characters inside a string (its quote is escaped there).
      ["in-string", JSON.stringify({ Records: [record(1, { userAgent: '},{"eventVersion":"x"' }), record(2)] })],
      // Pretty-printed, CRLF, a second Records member, not CloudTrail's first member.
      ["pretty", JSON.stringify({ Records: [record(1), record(2)] }, null, 2)],
      ["crlf", `${JSON.stringify({ Records: [record(1), record(2)] })}\r\n`],
      ["two-records-members", `{"Records":[${JSON.stringify(record(1))}],"Records":[${JSON.stringify(record(2))}]}`],
      ["other-first-member", JSON.stringify({ Records: [{ ...record(1), eventVersion: undefined, v: "1.09" }] })],
    ];
    for (const [name, text] of cases) {
      const { items, general, compact } = await both(`${name}.json`, text);
      expect(items, name).toEqual(general);
      if (name === "nested" || name === "in-string") {
        // Cut and failed to parse, or not cut: either way the general way's records.
        expect(
          items.filter((item) => "event" in item),
          name,
        ).toHaveLength(2);
      } else expect(compact, name).toBeUndefined();
    }
  });

  it("reports a damaged file as the general way does", async () => {
    const text = JSON.stringify({ Records: [record(1), record(2)] });
    const at = text.lastIndexOf('"ListBuckets"');
    const broken = `${text.slice(0, at)}${text.slice(at + 1)}`;
    const { items, general, compact } = await both("broken.json", broken);
    expect(compact).toBeUndefined();
    expect(items).toEqual(general);
  });

  it("accepts one final newline, as a single-line document", async () => {
    const { items, general, compact } = await both("newline.json", `${JSON.stringify({ Records: [record(1)] })}\n`);
    expect(compact).toBeDefined();
    expect(items).toEqual(general);
  });
});
