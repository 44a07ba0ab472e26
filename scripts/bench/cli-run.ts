import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What one run of the CLI, in a process of its own, took (reader threads included). */
export interface CliRun {
  seconds: number;
  /** User and system CPU time of the whole process. */
  cpuSeconds: number;
  maxRss: number;
  stdout: string;
}

const CLI = fileURLToPath(new URL("../../bin/riposte.mjs", import.meta.url));

// Written to stderr as the process exits: what `process.resourceUsage` says of the whole process.
const REPORT = `process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nriposte-bench-usage="+u.maxRSS+","+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

/** Runs `riposte ARGS` as a user would (the built CLI through `bin/riposte.mjs`); throws when it fails. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(REPORT)}`, CLI, ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      maxBuffer: 512 * 1048576,
      env,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const found = /riposte-bench-usage=(\d+),(\d+)/.exec(child.stderr ?? "");
  if (child.status !== 0 || !found) {
    throw new Error(
      `riposte ${args.join(" ")} exited with ${child.status ?? child.signal}: ${(child.stderr ?? "").slice(-2000)}`,
    );
  }
  // resourceUsage reports kilobytes and microseconds.
  return { seconds, cpuSeconds: Number(found[2]) / 1e6, maxRss: Number(found[1]) * 1024, stdout: child.stdout };
}
