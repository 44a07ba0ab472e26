import { appendFileSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { authorizeIngress, consoleLogin, createSecurityGroup } from "../../test/fixtures/events/cloudtrail.js";
import { createDirectorySource } from "./directory.js";
import type { EventSource } from "./source.js";
import { openSourceHarness, type SourceHarness, waitFor } from "./testing.js";

const SETTLE_MS = 10_000;
const open: { harness: SourceHarness; source?: EventSource }[] = [];

function trailDir(root: string): string {
  const dir = join(root, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2024", "05", "01");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Write a file whose modification time is well in the past: fully written. */
function writeSettled(path: string, content: string | Buffer): void {
  writeFileSync(path, content);
  settle(path);
}

function settle(path: string): void {
  const past = new Date(Date.now() - 5 * 60_000);
  utimesSync(path, past, past);
}

function start(dir: string, harness = openSourceHarness()) {
  const source = createDirectorySource({ ...harness.context, dir, pollMs: 50, settleMs: SETTLE_MS });
  open.push({ harness, source });
  source.start();
  return { harness, source };
}

const filesRead = (harness: SourceHarness) => harness.logs.filter((line) => line.msg === "file read");

afterEach(async () => {
  for (const { harness, source } of open.splice(0)) {
    await source?.stop();
    harness.close();
  }
});

describe("watched directory source", () => {
  it("reads .json and .json.gz files of a nested AWSLogs tree, each event naming its file", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const trail = trailDir(root);
    const plain = join(trail, "123456789012_CloudTrail_us-east-1_20240501T1000Z_a.json");
    const gz = join(trail, "123456789012_CloudTrail_us-east-1_20240501T1005Z_b.json.gz");
    writeSettled(plain, JSON.stringify({ Records: [createSecurityGroup("sg-1", "web", {}, { eventId: "e-plain" })] }));
    writeSettled(gz, gzipSync(JSON.stringify({ Records: [consoleLogin(false, { eventId: "e-gz" })] })));

    const { harness } = start(root);
    await waitFor("both files", () => filesRead(harness).length === 2);

    const events = harness.pending();
    expect(events.map((event) => event.id).sort()).toEqual(["e-gz", "e-plain"]);
    expect(events.map((event) => event.origin?.file).sort()).toEqual([gz, plain].sort());
    expect(harness.context.positions.keys(`watch:${resolve(root)}`).sort()).toEqual([gz, plain].sort());
  });

  it("waits for a file still being written and reads it complete once it has settled", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const path = join(root, "trail.json");
    const first = createSecurityGroup("sg-2", "web", {}, { eventId: "e-first" });
    const second = authorizeIngress("sg-2", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], { eventId: "e-second" });
    // Arrange: the first half of the file, modified just now.
    writeFileSync(path, `{"Records":[${JSON.stringify(first)},`);
    const marker = join(root, "marker.json");
    writeSettled(marker, JSON.stringify({ Records: [] }));
    const { harness, source } = start(root);
    await waitFor("the settled marker file", () => filesRead(harness).length === 1);

    // Assert: the fresh file was left alone, and health counts it as waiting.
    expect(harness.pending()).toEqual([]);
    expect(source.status().lagSeconds).toBeGreaterThanOrEqual(0);
    expect(harness.context.positions.get(`watch:${resolve(root)}`, path)).toBeUndefined();

    // Act: the writer finishes; the file settles.
    appendFileSync(path, `${JSON.stringify(second)}]}`);
    settle(path);
    await waitFor("the completed file", () => filesRead(harness).length === 2);

    expect(
      harness
        .pending()
        .map((event) => event.id)
        .sort(),
    ).toEqual(["e-first", "e-second"]);
    expect(harness.logs.filter((line) => line.msg === "unreadable record")).toEqual([]);
  });

  it("reads a file again when it grows after being read (a writer that paused), without duplicating events", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const path = join(root, "events.jsonl");
    writeSettled(path, `${JSON.stringify(consoleLogin(false, { eventId: "e-1" }))}\n`);
    const { harness } = start(root);
    await waitFor("the first version", () => filesRead(harness).length === 1);

    appendFileSync(path, `${JSON.stringify(consoleLogin(false, { eventId: "e-2" }))}\n`);
    settle(path); // a new size and modification time
    await waitFor("the second version", () => filesRead(harness).length === 2);

    expect(harness.pending().map((event) => event.id)).toEqual(["e-1", "e-2"]);
  });

  it("records a malformed file's error naming the file and still reads the others", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const bad = join(root, "a-broken.json");
    const good = join(root, "b-good.json");
    writeSettled(bad, '{"Records": [ {"eventVersion": "1.09", ');
    writeSettled(good, JSON.stringify({ Records: [consoleLogin(true, { eventId: "e-good" })] }));

    const { harness } = start(root);
    await waitFor("both files", () => filesRead(harness).length === 2);

    expect(harness.pending().map((event) => event.id)).toEqual(["e-good"]);
    const unreadable = harness.logs.filter((line) => line.msg === "unreadable record");
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ level: "warn", file: bad, source: "watch" });
    expect(String(unreadable[0]!.reason)).not.toBe("");
    expect(filesRead(harness).find((line) => line.file === bad)).toMatchObject({ events: 0, unreadable: 1 });
  });

  it("after a restart resumes where it was: files read before are not read again, new ones are", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const trail = trailDir(root);
    writeSettled(join(trail, "old.json"), JSON.stringify({ Records: [consoleLogin(false, { eventId: "e-old" })] }));
    const first = start(root);
    await waitFor("the first file", () => filesRead(first.harness).length === 1);
    await first.source.stop();
    first.harness.close();
    open.length = 0;

    // Act: a new process on the same data directory; one more file arrived meanwhile.
    writeSettled(join(trail, "new.json"), JSON.stringify({ Records: [consoleLogin(false, { eventId: "e-new" })] }));
    const second = start(root, openSourceHarness(first.harness.dataDir));
    await waitFor("the new file", () => filesRead(second.harness).length >= 1);
    // A few more scans, in which the old file would have been read again.
    const scans = second.harness.logs.length;
    await new Promise((done) => setTimeout(done, 300));

    expect(second.harness.logs.length).toBeGreaterThanOrEqual(scans);
    expect(filesRead(second.harness).map((line) => line.file)).toEqual([join(trail, "new.json")]);
    expect(second.harness.pending().map((event) => event.id)).toEqual(["e-old", "e-new"]);
  });

  it("reports lag while a file waits and none once everything is read", async () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-watch-"));
    const path = join(root, "late.json");
    writeFileSync(
      path,
      JSON.stringify({ Records: [consoleLogin(false, { eventId: "e-late", time: "2024-05-01T10:00:00Z" })] }),
    );
    const oneMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, oneMinuteAgo, oneMinuteAgo);
    // Settling takes two minutes here, so the file (written a minute ago) waits.
    const harness = openSourceHarness();
    const source = createDirectorySource({ ...harness.context, dir: root, pollMs: 50, settleMs: 120_000 });
    open.push({ harness, source });
    source.start();
    await waitFor("a scan", () => (source.status().lagSeconds ?? 0) > 0);

    expect(source.status().lagSeconds).toBeGreaterThanOrEqual(59);
    expect(source.status().lastEventAt).toBeUndefined();

    settle(path);
    await waitFor("the file read", () => filesRead(harness).length === 1);
    await waitFor("the next scan", () => source.status().lagSeconds === 0);
    expect(source.status()).toMatchObject({ lagSeconds: 0, lastEventAt: "2024-05-01T10:00:00.000Z" });
  });
});
