/**
 * Where `riposte scan`'s time goes, one stage at a time in one thread:
 * `npx tsx scripts/bench/scan-stages.ts` (corpus of RIPOSTE_BENCH_MB megabytes, default 30, made
 * as `scan.bench.ts` makes it). Prints CPU microseconds per event of each stage a reader thread
 * runs (read and gunzip; cutting a compact CloudTrail file into records, `JSON.parse` of each and
 * normalizing; matching; preparing for the engine thread) and of the engine thread's work
 * (ordering and detections over the prepared events), beside the floor's own `JSON.parse` of
 * the whole file. Not part of `npm run bench`: it explains the ratio that `scan.bench.ts` measures.
 */
import { readFileSync, rmSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseConfig } from "../../core/config/load.js";
import { createPreparedDetectionEngine } from "../../core/engine/engine.js";
import { activeEntries, buildEngineIndex, enabledSpecs } from "../../core/engine/engine-index.js";
import type { PreparedEvent } from "../../core/engine/prepared.js";
import { BatchDecoder, BatchEncoder, type PreparedBatchMessage } from "../../core/engine/prepared-batch.js";
import { readCompactCloudTrail } from "../../core/events/compact-file.js";
import { listInputFiles } from "../../core/events/files.js";
import { TimeOrder } from "../../core/events/order.js";
import { readListedFiles } from "../../core/events/read.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { MemoryCorrelationStore } from "../../core/store/memory-correlation.js";
import { generateCorpus } from "./scan.bench.js";

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function main(): Promise<void> {
  const megabytes = Number(process.env.RIPOSTE_BENCH_MB ?? 30);
  const corpus = generateCorpus(megabytes);
  try {
    const { files } = await listInputFiles([corpus.dir]);
    const config = parseConfig({});
    const engineIndex = buildEngineIndex(enabledSpecs(config), config);
    const stages: Record<string, number> = {};
    const add = (stage: string, ms: number) => {
      stages[stage] = (stages[stage] ?? 0) + ms;
    };
    let events = 0;
    // Stage by stage, as a reader runs them (the first round warms the code up and is not counted).
    for (let round = 0; round < 2; round++) {
      for (const file of files) {
        let started = cpuMs();
        const bytes = gunzipSync(readFileSync(file.path));
        const lap = (stage: string) => {
          const now = cpuMs();
          if (round === 1) add(stage, now - started);
          started = now;
        };
        lap("read and gunzip");
        JSON.parse(bytes.toString("utf8"));
        lap("(the floor's whole-file decode and JSON.parse, not a scan stage)");
        const compact = readCompactCloudTrail(file.path, bytes, true);
        if (!compact) throw new Error(`${file.path}: not a compact CloudTrail file`);
        const normalized: SecurityEvent[] = [];
        for (const item of compact.items) if ("event" in item) normalized.push(item.event);
        lap("records cut, parsed and normalized");
        for (const event of normalized) activeEntries(engineIndex.index.match(event.envelope), event.envelope.detail);
        lap("pattern matching");
        if (round === 1) events += normalized.length;
      }
    }
    // The whole reader (read, parse, slice, normalize, match, encode), less the stages above.
    const messages: PreparedBatchMessage[] = [];
    let started = cpuMs();
    for await (const batch of readListedFiles(files, { capture: true })) void batch;
    const readOnly = cpuMs() - started;
    const encoder = new BatchEncoder(engineIndex);
    started = cpuMs();
    for await (const batch of readListedFiles(files, { capture: true })) {
      messages.push(encoder.encode(batch, batch.file).message);
    }
    add("preparing for the engine thread", cpuMs() - started - readOnly - stages["pattern matching"]!);

    // The engine thread: decode, order by event time, run every detection.
    for (let round = 0; round < 2; round++) {
      const engine = createPreparedDetectionEngine({ config, state: new MemoryCorrelationStore() });
      const decoder = new BatchDecoder();
      const order = new TimeOrder<PreparedEvent>();
      started = cpuMs();
      for (const message of messages) {
        const items = decoder.decode(message, 0, files[message.file]!.path);
        for (const item of items) if (!("error" in item)) order.add(item, item.epochMs);
        const due: PreparedEvent[] = [];
        order.release(due);
        if (due.length > 0) await engine.processPrepared(due);
      }
      const rest: PreparedEvent[] = [];
      order.drain(rest);
      await engine.processPrepared(rest);
      await engine.finish();
      add(round === 0 ? "engine thread (first run)" : "engine thread (second run)", cpuMs() - started);
    }

    process.stdout.write(`${files.length} files, ${events.toLocaleString("en-US")} events; CPU µs per event:\n`);
    for (const [stage, ms] of Object.entries(stages)) {
      process.stdout.write(`  ${stage}: ${((ms * 1000) / events).toFixed(2)}\n`);
    }
  } finally {
    rmSync(corpus.dir, { recursive: true, force: true });
  }
}

await main();
