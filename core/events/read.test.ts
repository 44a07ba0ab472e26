import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ACCOUNT,
  albLine,
  authorizeIngress,
  consoleLogin,
  flowLine,
  guardDutyFinding,
  wafRecord,
} from "../../test/fixtures/events/cloudtrail.js";
import type { SecurityEvent } from "../model/event.js";
import { type ReadError, type ReadItem, readEventFiles } from "./index.js";
import { readListedFiles } from "./read.js";

async function readAll(paths: string[], options = {}): Promise<{ events: SecurityEvent[]; errors: ReadError[] }> {
  const events: SecurityEvent[] = [];
  const errors: ReadError[] = [];
  for await (const item of readEventFiles(paths, options) as AsyncIterable<ReadItem>) {
    if ("event" in item) events.push(item.event);
    else errors.push(item.error);
  }
  return { events, errors };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "riposte-read-"));
}

describe("readEventFiles", () => {
  it("reads a whole gzip file even when its trailer's size field understates the content", async () => {
    // Arrange: two gzip members, so the trailer names only the small second one, and a large
    // first member (more than the 64 KiB minimum output chunk).
    const root = tempDir();
    const records = Array.from({ length: 400 }, (_, n) =>
      consoleLogin(true, { time: `2024-05-01T10:${String(n % 60).padStart(2, "0")}:00Z` }),
    );
    const lines = records.map((record) => JSON.stringify(record));
    const first = gzipSync(`${lines.slice(0, 399).join("\n")}\n`);
    const second = gzipSync(`${lines[399]}\n`);
    const file = join(root, "members.jsonl.gz");
    writeFileSync(file, Buffer.concat([first, second]));
    expect(lines.slice(0, 399).join("\n").length).toBeGreaterThan(64 * 1024);

    // Act
    const { events, errors } = await readAll([file]);

    // Assert
    expect(errors).toEqual([]);
    expect(events).toHaveLength(400);
  });

  it("reads CloudTrail log files (.json.gz) in the AWSLogs layout, walking directories, skipping digests", async () => {
    const root = tempDir();
    const dir = join(root, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2024", "05", "01");
    const digest = join(root, "AWSLogs", ACCOUNT, "CloudTrail-Digest", "us-east-1");
    mkdirSync(dir, { recursive: true });
    mkdirSync(digest, { recursive: true });
    const late = [consoleLogin(true, { time: "2024-05-01T10:05:00Z" })];
    const early = [authorizeIngress("sg-1", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]), consoleLogin(false)];
    writeFileSync(
      join(dir, `${ACCOUNT}_CloudTrail_us-east-1_20240501T1005Z_b.json.gz`),
      gzipSync(JSON.stringify({ Records: late })),
    );
    writeFileSync(
      join(dir, `${ACCOUNT}_CloudTrail_us-east-1_20240501T1000Z_a.json.gz`),
      gzipSync(JSON.stringify({ Records: early })),
    );
    writeFileSync(join(digest, `${ACCOUNT}_CloudTrail-Digest_us-east-1_20240501T1000Z.json.gz`), gzipSync("{}"));
    writeFileSync(join(dir, "notes.md"), "not a log");

    const { events, errors } = await readAll([root]);

    expect(errors).toEqual([]);
    expect(events.map((event) => event.id)).toEqual([...early, ...late].map((record) => record.eventID));
    expect(events[1]?.origin?.position).toBe(2);
    expect(events[0]?.origin?.file).toContain("20240501T1000Z_a.json.gz");
  });

  it("reads JSON Lines of CloudTrail records, EventBridge envelopes and GuardDuty findings, reporting bad lines", async () => {
    const dir = tempDir();
    const file = join(dir, "mixed.jsonl");
    const record = consoleLogin(true);
    const finding = guardDutyFinding("Recon:IAMUser/MaliciousIPCaller", 5);
    writeFileSync(
      file,
      [JSON.stringify(record), "{broken", "", JSON.stringify(finding), JSON.stringify({ x: 1 })].join("\n"),
    );

    const { events, errors } = await readAll([file]);

    expect(events.map((event) => event.kind)).toEqual(["cloudtrail", "guardduty"]);
    expect(errors.map((error) => [error.position, error.reason.slice(0, 12)])).toEqual([
      [2, "invalid JSON"],
      [5, "unrecognised"],
    ]);
  });

  it("reads a pretty-printed JSON document and a single JSON array", async () => {
    const dir = tempDir();
    const pretty = join(dir, "pretty.json");
    const array = join(dir, "array.json");
    writeFileSync(pretty, JSON.stringify({ Records: [consoleLogin(true), consoleLogin(false)] }, null, 2));
    writeFileSync(array, JSON.stringify([consoleLogin(true)]));

    const { events, errors } = await readAll([pretty, array]);

    expect(errors).toEqual([]);
    expect(events).toHaveLength(3);
    expect(events.map((event) => event.origin?.position)).toEqual([1, 2, 1]);
  });

  it("reads VPC Flow Logs (with a header, gzipped) with stable ids from file and line", async () => {
    const dir = join(tempDir(), "AWSLogs", ACCOUNT, "vpcflowlogs", "eu-west-1", "2024", "05", "01");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0a1b_20240501T1000Z_abc.log.gz`);
    const header =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    const lines = [
      header,
      flowLine("eni-1", "185.220.101.1", "10.0.1.10", 22, 1714557600),
      `2 ${ACCOUNT} eni-1 - - - - - - - 1714557600 1714557660 - NODATA`,
      "2 only three",
    ];
    writeFileSync(file, gzipSync(lines.join("\n")));

    const { events, errors } = await readAll([file]);

    expect(events).toHaveLength(1);
    expect(events[0]?.id).toBe(`${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0a1b_20240501T1000Z_abc.log.gz:2`);
    expect(events[0]?.envelope).toMatchObject({ source: "riposte.vpcflow", region: "eu-west-1", account: ACCOUNT });
    expect(events[0]?.envelope.detail).toMatchObject({
      "interface-id": "eni-1",
      srcaddr: "185.220.101.1",
      dstport: 22,
      action: "ACCEPT",
    });
    expect(errors).toEqual([expect.objectContaining({ position: 4 })]);
  });

  it("reads headerless flow logs, WAF logs and ALB access logs", async () => {
    const dir = tempDir();
    const flow = join(dir, "flow.log");
    const waf = join(dir, "waf.log");
    const alb = join(dir, `${ACCOUNT}_elasticloadbalancing_us-west-2_app.app-lb.50dc_20240501T1000Z_10.0.0.1_x.log`);
    writeFileSync(flow, `${flowLine("eni-2", "89.160.20.112", "10.0.0.5", 3389, 1714557600)}\n`);
    writeFileSync(waf, `${JSON.stringify(wafRecord("185.220.101.1", 1714557600000, "BLOCK"))}\n`);
    writeFileSync(alb, `${albLine("2024-05-01T10:00:00.123456Z", "185.220.101.1", 404, 'sqlmap/1.7 "quoted"')}\n`);

    const { events, errors } = await readAll([flow, waf, alb]);

    expect(errors).toEqual([]);
    expect(events.map((event) => event.kind)).toEqual(["vpcflow", "waf", "alb"]);
    expect(events[2]?.envelope).toMatchObject({ source: "riposte.alb", account: ACCOUNT, region: "us-west-2" });
    expect(events[2]?.envelope.detail).toMatchObject({
      client_ip: "185.220.101.1",
      elb_status_code: 404,
      user_agent: 'sqlmap/1.7 "quoted"',
      request_method: "GET",
    });
  });

  it("reports missing paths, unreadable gzip and unknown formats without stopping", async () => {
    const dir = tempDir();
    const corrupt = join(dir, "corrupt.json.gz");
    const good = join(dir, "good.json");
    const unknown = join(dir, "unknown.txt");
    const full = gzipSync(JSON.stringify({ Records: [consoleLogin(true)] }));
    writeFileSync(corrupt, full.subarray(0, full.length - 10));
    writeFileSync(good, JSON.stringify(consoleLogin(true)));
    writeFileSync(unknown, "hello world\n");

    const { events, errors } = await readAll([join(dir, "missing.json"), corrupt, good, unknown]);

    expect(events).toHaveLength(1);
    expect(errors.map((error) => error.reason)).toEqual([
      "no such file or directory",
      expect.stringMatching(/gzip/),
      expect.stringMatching(/unrecognised file format/),
    ]);
  });

  it("reports an empty or truncated .gz file as unreadable, naming it, and reads the next file", async () => {
    // Arrange: 0 bytes (a download that never arrived) and a file cut inside the gzip header.
    const dir = tempDir();
    const empty = join(dir, "empty.json.gz");
    const cut = join(dir, "cut.json.gz");
    const good = join(dir, "good.json");
    writeFileSync(empty, "");
    writeFileSync(cut, gzipSync(JSON.stringify({ Records: [consoleLogin(true)] })).subarray(0, 5));
    writeFileSync(good, JSON.stringify(consoleLogin(true)));

    // Act
    const { events, errors } = await readAll([empty, cut, good]);

    // Assert
    expect(events).toHaveLength(1);
    expect(errors).toEqual([
      { file: empty, position: 0, reason: "gzip: empty file (0 bytes): truncated or not written" },
      { file: cut, position: 0, reason: "gzip: truncated (5 bytes)" },
    ]);
  });

  it("reads a .gz file that holds plain text (a download decompressed on the way) as text", async () => {
    const dir = tempDir();
    const plain = join(dir, "plain.json.gz");
    writeFileSync(plain, JSON.stringify(consoleLogin(true)));

    const { events, errors } = await readAll([plain]);

    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
  });

  it.each([
    ["read whole", undefined, false],
    ["read whole with blocking calls", undefined, true],
    ["streamed", 0, false],
  ])(
    "never opens a listed file that became a FIFO for reading (%s): reports it instead of blocking",
    async (_, limit, blocking) => {
      // Arrange: listed as a regular file, then replaced by a pipe no one writes to.
      const pipe = join(tempDir(), "swapped.json");
      execFileSync("mkfifo", [pipe]);

      // Act
      const items: ReadItem[] = [];
      for await (const batch of readListedFiles([{ path: pipe, size: 1 }], { wholeFileLimit: limit, blocking })) {
        items.push(...batch.items);
      }

      // Assert
      expect(items).toEqual([
        { error: { file: pipe, position: 0, reason: "a FIFO (named pipe): not a regular file, skipped" } },
      ]);
    },
  );

  it("streams files above the whole-file limit, line by line, with the same results", async () => {
    const dir = tempDir();
    const file = join(dir, "big.jsonl.gz");
    const records = Array.from({ length: 500 }, (_, i) => consoleLogin(i % 2 === 0));
    writeFileSync(file, gzipSync(records.map((record) => JSON.stringify(record)).join("\r\n")));
    let bytes = 0;

    const streamed = await readAll([file], { wholeFileLimit: 100, onBytes: (n: number) => (bytes += n) });
    const whole = await readAll([file]);

    expect(streamed.errors).toEqual([]);
    expect(streamed.events.map((event) => event.id)).toEqual(records.map((record) => record.eventID));
    expect(whole.events.map((event) => event.id)).toEqual(streamed.events.map((event) => event.id));
    expect(bytes).toBeGreaterThan(0);
  });

  it("reads the same with blocking calls (a scan reader thread) as without, whatever the files became", async () => {
    // Arrange: files as listed, then changed: one grown past its listed size, one removed, one cut.
    const dir = tempDir();
    const write = (name: string, bytes: string | Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    };
    const records = Array.from({ length: 300 }, (_, i) => consoleLogin(i % 3 === 0));
    const gz = write("a.json.gz", gzipSync(JSON.stringify({ Records: records })));
    const grown = write("b.jsonl", `${JSON.stringify(consoleLogin(true))}\n`);
    const removed = write("c.json", "{}");
    const cut = write("d.json.gz", gzipSync(JSON.stringify({ Records: records })).subarray(0, 40));
    const files = [gz, grown, removed, cut].map((path) => ({ path, size: 100 }));
    writeFileSync(grown, `${JSON.stringify(consoleLogin(true))}\n`.repeat(200));
    rmSync(removed);
    const read = async (blocking: boolean) => {
      const out: unknown[] = [];
      for await (const { file, items, slices } of readListedFiles(files, { capture: true, blocking })) {
        out.push({ file, items, slices: slices?.map((slice) => slice && [slice.start, slice.end, slice.position]) });
      }
      return out;
    };

    // Act
    const [withBlocking, without] = [await read(true), await read(false)];

    // Assert
    expect(withBlocking).toEqual(without);
    const items = (without as { items: ReadItem[] }[]).flatMap((batch) => batch.items);
    expect(items.filter((item) => "event" in item)).toHaveLength(300 + 200);
    expect(items.flatMap((item) => ("error" in item ? [item.error.file] : []))).toEqual([removed, cut]);
  });
});
