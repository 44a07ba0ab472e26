// Test fixture: another process that takes a data directory's lock, as `riposte serve` does.
// Usage: node --import tsx data-dir-lock.fixture.ts <dataDir> [--on-go]
// With --on-go it prints "ready" and waits for a line on stdin first, so racers start together.
// Prints "locked <pid>" and holds the lock until killed, or prints "in-use <owner pid>" and
// exits 2.
import { DataDirInUseError, lockDataDir } from "./data-dir-lock.js";

const [dataDir, gate] = process.argv.slice(2);
if (gate === "--on-go") {
  process.stdout.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  process.stdin.destroy();
}
try {
  lockDataDir(dataDir!, { version: "fixture" });
  process.stdout.write(`locked ${process.pid}\n`);
  setInterval(() => {}, 60_000);
} catch (error) {
  if (!(error instanceof DataDirInUseError)) throw error;
  process.stdout.write(`in-use ${error.owner?.pid ?? "unknown"}\n`);
  process.exitCode = 2;
}
