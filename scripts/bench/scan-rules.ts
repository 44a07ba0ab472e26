import { parseConfig } from "../../core/config/load.js";
import { buildEngineIndex, enabledSpecs } from "../../core/engine/engine-index.js";
import type { ScanOptions } from "../../core/engine/scan.js";
import { generateRulePatterns } from "./rule-variety.js";

/**
 * The whole scan at the built-in patterns, at 340 and at 1,000 (the added ones are
 * `rule-variety.ts`'s, matched on every event then dropped through `ScanOptions.extraPatterns`, so
 * every run must give the same findings), rounds interleaved, best of each, in events per second
 * of wall time and of the process's CPU time; with how many patterns
 * each event is tested against (over `sample`) and how many have nothing the index can find.
 */
export async function scanAtRuleCounts(
  files: readonly string[],
  sample: readonly unknown[],
  timedScan: (
    paths: readonly string[],
    options: Pick<ScanOptions, "readers" | "extraPatterns">,
  ) => Promise<{ events: number; findings: number; seconds: number }>,
  readers: number,
  // Best of 4: on a shared 2-core host one slow run in two was common enough to decide the ratio
  // (best of 2 gave 0.77 to 0.88 at 1,000 patterns from one hour to the next).
  rounds = 4,
): Promise<string[]> {
  const config = parseConfig({});
  const specs = enabledSpecs(config);
  const builtIn = buildEngineIndex(specs, config).entries.length;
  const generated = generateRulePatterns(1000 - builtIn);
  const sizes = [builtIn, 340, 1000].map((size) => ({ size, extra: generated.patterns.slice(0, size - builtIn) }));
  const runs = sizes.map(() => [] as { events: number; findings: number; seconds: number; cpu: number }[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, { extra }] of sizes.entries()) {
      // CPU time of the whole process (reader threads included): less swayed by other work than wall time.
      const started = process.cpuUsage();
      const run = await timedScan(files, { readers, extraPatterns: extra });
      const used = process.cpuUsage(started);
      runs[i]!.push({ ...run, cpu: (used.user + used.system) / 1e6 });
    }
  }
  const all = runs.flat();
  if (all.some((one) => one.events !== all[0]!.events || one.findings !== all[0]!.findings)) {
    throw new Error(`the added patterns changed the scan: ${JSON.stringify(runs)}`);
  }
  const best = runs.map((list) => Math.max(...list.map((one) => one.events / one.seconds)));
  const bestCpu = runs.map((list) => Math.max(...list.map((one) => one.events / one.cpu)));
  const lines = [
    `the whole scan at ${sizes.map(({ size }) => size).join(", ")} patterns (${all[0]!.events.toLocaleString("en-US")} events, ${readers} reader threads, best of ${rounds} interleaved runs each, ${all[0]!.findings} findings every time):`,
  ];
  for (const [i, { size, extra }] of sizes.entries()) {
    const { index } = buildEngineIndex(specs, config, extra);
    let tested = 0;
    for (const event of sample) tested += index.testedCount(event);
    lines.push(
      `  ${String(size).padStart(4)} patterns${i === 0 ? " (the detections' triggers and state)" : ` (+${extra.length} generated)`}: ${Math.round(best[i]!).toLocaleString("en-US")} events/s, ratio ${(best[i]! / best[0]!).toFixed(2)}; per CPU second ${Math.round(bestCpu[i]!).toLocaleString("en-US")}, ratio ${(bestCpu[i]! / bestCpu[0]!).toFixed(2)}; considered per event ${(tested / sample.length).toFixed(2)}; ${index.stats().unindexed} with nothing to index`,
    );
  }
  lines.push(
    `  generated rules (scripts/bench/rule-variety.ts): ${Object.entries(generated.shapes)
      .map(([shape, count]) => `${shape} ${count}`)
      .join(", ")}`,
    best[2]! / best[0]! >= 0.9
      ? "  flat from the built-in patterns to 1,000 (within 10 %)"
      : `  NOT flat: 1,000 patterns at ${(best[2]! / best[0]!).toFixed(2)} of the built-in patterns' speed`,
  );
  return lines;
}
