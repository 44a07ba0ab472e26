import { setFlagsFromString } from "node:v8";

/**
 * V8 settings for `riposte scan`: a batch of seconds whose hot path is a few large functions
 * (decoding, matching, preparing a batch) run in three isolates, the scanning thread and two
 * readers. V8's defaults optimize soon and inline deeply, which suits a long-running server; in a
 * scan the optimizing compiles themselves cost about a fifth of the CPU (`--trace-opt` counts
 * about 3 s of compile time, three compiles of the batch encoder alone near 0.7 s), and on two
 * cores that CPU is the scan's wall time. On Node 20, inlining less into each optimized function
 * and optimizing after more runs gives fewer and smaller compiles of the same hot code (README,
 * performance: 4-5 % less CPU and wall time over the benchmark corpus).
 *
 * Flags are process-wide and apply to code compiled afterwards, so the CLI sets them before the
 * scan's code loads and its reader threads start. Only for the V8 versions measured: a flag a
 * V8 does not know makes it print an error. A flag given on the command line or in
 * `NODE_OPTIONS` is left as given.
 */
const SCAN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  // Node 20: its V8 tiers up by an interrupt budget (default 67,584). Node 22's V8 (12: Maglev,
  // then TurboFan by invocation counts) gained nothing measurable from the smaller inlining
  // budget (0.95-1.03 of the wall time over three sets) or from later tier-ups, so it keeps its own.
  "11": ["--max-inlined-bytecode-size-cumulative=500", "--interrupt-budget=540000"],
};

let applied: readonly string[] | undefined;

/** The flags set for a scan on this V8 (once per process; none on a V8 not measured). */
export function tuneV8ForScan(
  v8Version = process.versions.v8,
  given = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`,
): readonly string[] {
  if (applied) return applied;
  const flags = scanFlagsFor(v8Version, given);
  for (const flag of flags) setFlagsFromString(flag);
  applied = flags;
  return flags;
}

/** The scan flags for a V8 version, less those `given` (command-line text) already names. */
export function scanFlagsFor(v8Version: string, given: string): readonly string[] {
  const major = /^(\d+)\./.exec(v8Version)?.[1];
  const flags = (major && Object.hasOwn(SCAN_FLAGS, major) ? SCAN_FLAGS[major] : undefined) ?? [];
  return flags.filter((flag) => !namedIn(given, flag.slice(2, flag.indexOf("="))));
}

/** Whether command-line text names a V8 flag (V8 reads `-` and `_` alike). */
function namedIn(given: string, name: string): boolean {
  const spelled = given.replaceAll("_", "-");
  return spelled.includes(`--${name}=`) || spelled.includes(`--${name} `) || spelled.endsWith(`--${name}`);
}
