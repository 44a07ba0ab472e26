import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { consoleLogin, IP } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { type FileBatch, readListedFiles } from "../events/read.js";
import type { SecurityEvent } from "../model/event.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import { SlicedEvent } from "./prepared.js";
import {
  BatchDecoder,
  BatchEncoder,
  MOVED_TEXT_MIN,
  type PreparedBatchMessage,
  type PreparedItem,
} from "./prepared-batch.js";

const config = parseConfig({});

/**
 * A CloudTrail file of `count` logins (one JSON line), with `userAgent`: `compact` as CloudTrail
 * writes them (`eventVersion` first), or with `eventVersion` last.
 */
function cloudTrailFile(dir: string, name: string, count: number, userAgent: string, compact = false): string {
  const records = Array.from({ length: count }, (_, i) => {
    const { eventVersion, ...rest }: Record<string, unknown> = {
      ...consoleLogin(false, { time: new Date(Date.UTC(2024, 4, 1, 10, 0, i)).toISOString(), ip: IP.germany }),
      userAgent,
    };
    return compact ? { eventVersion, ...rest } : { ...rest, eventVersion };
  });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ Records: records }));
  return path;
}

async function batchesOf(path: string, capture: boolean): Promise<FileBatch[]> {
  const batches: FileBatch[] = [];
  for await (const batch of readListedFiles([{ path, size: statSync(path).size }], { capture })) batches.push(batch);
  return batches;
}

/** Encodes on one side of a real port and decodes on the other, as a reader thread and the engine do. */
async function acrossThreads(path: string) {
  const encoder = new BatchEncoder(buildEngineIndex(enabledSpecs(config), config));
  const decoder = new BatchDecoder();
  const { port1, port2 } = new MessageChannel();
  const sent: PreparedBatchMessage[] = [];
  const events: SecurityEvent[] = [];
  try {
    for (const batch of await batchesOf(path, true)) {
      const { message, transfer } = encoder.encode(batch, 0);
      sent.push(message);
      port1.postMessage(message, transfer);
      const received = receiveMessageOnPort(port2)!.message as PreparedBatchMessage;
      for (const item of decoder.decode(received, 0, path)) {
        if ("error" in item) throw new Error(item.error.reason);
        events.push(item.materialize());
      }
    }
  } finally {
    port1.close();
  }
  return { sent, events };
}

describe("prepared batches", () => {
  const dir = mkdtempSync(join(tmpdir(), "riposte-prepared-"));

  it("moves a large ASCII text as bytes (no copy in the engine's heap) and rebuilds the same events", async () => {
    const path = cloudTrailFile(dir, "ascii.json", 300, "aws-cli/2.15.30");
    expect(statSync(path).size).toBeGreaterThan(MOVED_TEXT_MIN);

    const { sent, events } = await acrossThreads(path);

    const texts = sent.flatMap((message) => message.texts);
    expect(texts.length).toBeGreaterThan(0);
    // Moved: the sender's buffer is detached once posted.
    for (const text of texts) expect(text instanceof Uint8Array && text.byteLength === 0).toBe(true);
    const read = (await batchesOf(path, false)).flatMap((batch) => batch.items);
    expect(events).toEqual(read.map((item) => ("event" in item ? item.event : item)));
    expect(events).toHaveLength(300);
  });

  it("moves a compact CloudTrail file's own bytes, ASCII or not (offsets are byte offsets), and rebuilds the same events", async () => {
    const path = cloudTrailFile(dir, "compact.json", 300, "navigateur é ✓ 🛡", true);
    const { sent, events } = await acrossThreads(path);

    const texts = sent.flatMap((message) => message.texts);
    expect(texts).toHaveLength(1);
    expect(texts[0] instanceof Uint8Array && texts[0].byteLength === 0).toBe(true);
    const read = (await batchesOf(path, false)).flatMap((batch) => batch.items);
    expect(events).toEqual(read.map((item) => ("event" in item ? item.event : item)));
    expect(events).toHaveLength(300);
    expect(events[299]!.envelope.detail).toMatchObject({ userAgent: "navigateur é ✓ 🛡" });
    expect(events[299]!.origin).toEqual({ file: path, position: 300 });
  });

  it("frees a file's moved bytes once every event read from them is finished and no later batch can name them", async () => {
    const first = cloudTrailFile(dir, "first.json", 200, "aws-cli/2", true);
    const second = cloudTrailFile(dir, "second.json", 200, "aws-cli/2", true);
    const encoder = new BatchEncoder(buildEngineIndex(enabledSpecs(config), config));
    const decoder = new BatchDecoder();
    const { port1, port2 } = new MessageChannel();
    const received = async (path: string, file: number): Promise<PreparedItem[]> => {
      const items: PreparedItem[] = [];
      for (const batch of await batchesOf(path, true)) {
        const { message, transfer } = encoder.encode(batch, file);
        port1.postMessage(message, transfer);
        items.push(...decoder.decode(receiveMessageOnPort(port2)!.message as PreparedBatchMessage, 0, path));
      }
      return items;
    };
    const bytesOf = (items: PreparedItem[]) => {
      const all = new Set(items.map((item) => (item instanceof SlicedEvent ? item.bytes : undefined)));
      expect(all.size).toBe(1);
      return [...all][0]!;
    };
    try {
      const a = await received(first, 0);
      const bytesA = bytesOf(a);
      const size = bytesA.byteLength;
      expect(size).toBeGreaterThan(0);
      const eventsA = a.map((item) => (item as SlicedEvent).materialize());

      decoder.finished(a.slice(0, 150));
      const b = await received(second, 1);
      // 50 events of the first file still to go: its bytes stay, and still read the same.
      expect(bytesA.byteLength).toBe(size);
      expect(a.slice(150).map((item) => (item as SlicedEvent).materialize())).toEqual(eventsA.slice(150));

      decoder.finished(a.slice(150));
      expect(bytesA.byteLength).toBe(0);

      // The reader's last bytes stay while a later batch may name them again, even when finished.
      const bytesB = bytesOf(b);
      decoder.finished(b);
      expect(bytesB.byteLength).toBeGreaterThan(0);
    } finally {
      port1.close();
    }
  });

  it("copies a text that is not ASCII as a string (byte offsets would not be character offsets)", async () => {
    const path = cloudTrailFile(dir, "accents.json", 300, "navigateur é ✓ 🛡");
    expect(statSync(path).size).toBeGreaterThan(MOVED_TEXT_MIN);

    const { sent, events } = await acrossThreads(path);

    const texts = sent.flatMap((message) => message.texts);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(typeof text).toBe("string");
    const read = (await batchesOf(path, false)).flatMap((batch) => batch.items);
    expect(events).toEqual(read.map((item) => ("event" in item ? item.event : item)));
    expect(events[0]!.envelope.detail).toMatchObject({ userAgent: "navigateur é ✓ 🛡" });
  });
});
