import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliRun, runCli } from "./cli-run.js";
import { median } from "./stats.js";

const GENERATOR = fileURLToPath(new URL("./gen-sigma-rules.mjs", import.meta.url));

/**
 * The whole `riposte scan` over `paths` with the built-in detections only, then with 300 rules
 * imported from Sigma (`gen-sigma-rules.mjs`, then `riposte rules import-sigma`; the rules cache
 * warm, as from the second run on), rounds interleaved, each side first in every other round:
 * medians of wall and CPU time, the ratio round by round, and peak memory. Both must write the
 * same findings (the generated rules select nothing in the corpus: what they cost is matching
 * them).
 */
export function scanWithImportedRules(paths: readonly string[], rounds = 6): string[] {
  const work = mkdtempSync(join(tmpdir(), "riposte-bench-rules-"));
  try {
    const sigma = join(work, "sigma");
    const rules = join(work, "rules");
    const generated = spawnSync(process.execPath, [GENERATOR, sigma, "300"], { encoding: "utf8" });
    if (generated.status !== 0) throw new Error(`gen-sigma-rules.mjs failed: ${generated.stderr}`);
    const env = { ...process.env, RIPOSTE_CACHE_DIR: join(work, "cache") };
    runCli(["rules", "import-sigma", sigma, "--out", rules], env);
    const builtIn = ["scan", "--format", "jsonl", ...paths];
    const withRules = ["scan", "--format", "jsonl", "--rules", rules, ...paths];
    // Fills the rules cache, as any earlier run over the same directory has.
    runCli(withRules, env);
    // Each side runs first in every other round: neither always follows the other (a warmer page
    // cache, a host whose other load comes and goes in step).
    const runs: { builtIn: CliRun; rules: CliRun }[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        const first = runCli(builtIn, env);
        runs.push({ builtIn: first, rules: runCli(withRules, env) });
      } else {
        const first = runCli(withRules, env);
        runs.push({ builtIn: runCli(builtIn, env), rules: first });
      }
    }
    const findings = (run: CliRun) => run.stdout.split("\n").filter(Boolean).sort().join("\n");
    if (runs.some((run) => findings(run.rules) !== findings(run.builtIn))) {
      throw new Error("the 300 imported rules changed the scan's findings");
    }
    const wall = (key: "builtIn" | "rules") => median(runs.map((run) => run[key].seconds));
    const cpu = (key: "builtIn" | "rules") => median(runs.map((run) => run[key].cpuSeconds));
    const ratios = runs.map((run) => run.rules.seconds / run.builtIn.seconds);
    const cpuRatios = runs.map((run) => run.rules.cpuSeconds / run.builtIn.cpuSeconds);
    const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
    const peak = (key: "builtIn" | "rules") => Math.max(...runs.map((run) => run[key].maxRss));
    const within = median(ratios) <= 1.1 && median(cpuRatios) <= 1.1;
    return [
      `the whole riposte scan with 300 rules imported from Sigma (scripts/bench/gen-sigma-rules.mjs, the rules cache warm) against the built-in detections only, ${rounds} interleaved rounds, medians:`,
      `  built-in only: ${wall("builtIn").toFixed(2)} s wall, ${cpu("builtIn").toFixed(2)} s CPU, peak ${mb(peak("builtIn"))}`,
      `  with the 300 rules: ${wall("rules").toFixed(2)} s wall, ${cpu("rules").toFixed(2)} s CPU, peak ${mb(peak("rules"))}`,
      `  ratio round by round: wall ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), CPU ${median(cpuRatios).toFixed(3)} (${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}); ${within ? "within 10 %" : "NOT within 10 %"}`,
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
