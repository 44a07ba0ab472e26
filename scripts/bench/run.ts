/**
 * `npm run bench`: runs every `scripts/bench/*.bench.ts` module in turn (each exports
 * `run(): Promise<void>` and prints its own figures). Speeds are reported as ratios against a
 * baseline measured in the same run, because timings on a shared machine are noisy.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

for (const file of modules) {
  process.stdout.write(`\n== ${file.replace(/\.bench\.ts$/, "")} ==\n`);
  const module = (await import(new URL(file, import.meta.url).href)) as { run: () => Promise<void> };
  await module.run();
}
