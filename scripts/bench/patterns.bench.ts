/**
 * Pattern matching alone, at the built-in detections' patterns and at 340 and 1,000 rules: the
 * index the engine builds (`buildEngineIndex`: every detection's trigger and state patterns, the
 * trackers', then the added rules) matched against the events of a generated CloudTrail corpus
 * (`scan.bench.ts`'s, RIPOSTE_BENCH_PATTERN_MB megabytes, default 8), held in memory as the engine
 * sees them. The added rules are `rule-variety.ts`'s. Prints, in one run: events/s at each size
 * of CPU time and their ratio to the built-in set (best of several interleaved rounds), patterns considered per
 * event (and how many of those the index proves without testing), how many patterns have nothing to index, the time to build each index, and a check that
 * the index answers as testing every pattern would on a sample.
 */
import { readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { gunzipSync } from "node:zlib";
import { parseConfig } from "../../core/config/load.js";
import { buildEngineIndex, enabledSpecs, type IndexEntry } from "../../core/engine/engine-index.js";
import { normalizeRecords } from "../../core/events/index.js";
import type { PatternIndex } from "../../core/patterns/pattern-index.js";
import { generateRulePatterns } from "./rule-variety.js";
import { generateCorpus } from "./scan.bench.js";

const ROUNDS = 5;

/** Events matched per second of this process's CPU time (one thread: less swayed by other work than wall time). */
function timeMatching(index: PatternIndex<IndexEntry>, events: readonly unknown[]): number {
  const started = process.cpuUsage();
  let matched = 0;
  for (const event of events) matched += index.match(event).length;
  const used = process.cpuUsage(started);
  if (matched < 0) throw new Error("unreachable");
  return events.length / ((used.user + used.system) / 1e6);
}

export async function run(): Promise<void> {
  const megabytes = Number(process.env.RIPOSTE_BENCH_PATTERN_MB ?? 8);
  const corpus = generateCorpus(megabytes);
  const events: unknown[] = [];
  try {
    for (const file of corpus.files) {
      const { events: normalized } = normalizeRecords(JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")));
      for (const event of normalized) events.push(event.envelope);
    }
  } finally {
    rmSync(corpus.dir, { recursive: true, force: true });
  }

  const config = parseConfig({});
  const specs = enabledSpecs(config);
  const builtInIndex = buildEngineIndex(specs, config);
  const builtIn = builtInIndex.entries.length;
  const generated = generateRulePatterns(1000 - builtIn);
  const sizes = [builtIn, 340, 1000];
  const indexes = sizes.map((size) => {
    const extra = generated.patterns.slice(0, size - builtIn);
    const started = performance.now();
    const built = buildEngineIndex(specs, config, extra);
    // The index is filed on first use: count that in.
    built.index.match({});
    return { size, built, buildSeconds: (performance.now() - started) / 1000, extra };
  });

  // The index never changes an answer: a sample checked against testing every pattern.
  const largest = indexes[indexes.length - 1]!;
  const checked = events.slice(0, 20_000);
  for (const event of checked) {
    const fromIndex = largest.built.index.match(event);
    // `match` drops the added rules' matches (`buildEngineIndex`'s `extraPatterns`).
    const expected = largest.built.index.matchEach(event).filter((entry) => entry.role !== "extra");
    if (fromIndex.map((entry) => entry.id).join() !== expected.map((entry) => entry.id).join()) {
      throw new Error(`the index changed an answer on ${JSON.stringify(event).slice(0, 500)}`);
    }
  }

  const speeds = sizes.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    indexes.forEach(({ built }, i) => {
      speeds[i]!.push(timeMatching(built.index, events));
    });
  }
  const best = speeds.map((list) => Math.max(...list));
  const fmt = (value: number) => Math.round(value).toLocaleString("en-US");
  const sample = events.slice(0, 5_000);
  const lines = [
    `pattern matching alone: ${events.length.toLocaleString("en-US")} events in memory (${megabytes} MB corpus), best of ${ROUNDS} interleaved rounds, ${availableParallelism()} cores:`,
  ];
  indexes.forEach(({ size, built, buildSeconds }, i) => {
    const stats = built.index.stats();
    let tested = 0;
    let proven = 0;
    for (const event of sample) {
      tested += built.index.testedCount(event);
      proven += built.index.provenCount(event);
    }
    lines.push(
      `  ${String(size).padStart(4)} patterns (${size === builtIn ? "built-in" : `built-in + ${size - builtIn} generated`}): ${fmt(best[i]!)} events per CPU second, ratio to built-in ${(best[i]! / best[0]!).toFixed(2)}; considered per event ${(tested / sample.length).toFixed(2)} (${(proven / sample.length).toFixed(2)} proven by the index, the rest tested); ${stats.unindexed} with nothing to index, ${stats.paths} paths, ${stats.buckets} buckets; built in ${(buildSeconds * 1000).toFixed(0)} ms (compiling included)`,
    );
  });
  lines.push(
    `  the generated rules' shapes: ${Object.entries(generated.shapes)
      .map(([shape, count]) => `${shape} ${count}`)
      .join(", ")}`,
    `  checked: the ${fmt(largest.size)}-pattern index answers as testing every pattern does on ${fmt(checked.length)} events`,
    "",
  );
  process.stdout.write(lines.join("\n"));
}
