#!/usr/bin/env node
// Entry point. Runs the compiled CLI in dist/ (built by `npm ci`, `npm start`, `npm pack` and
// before the test suite: scripts/build-cli.mjs). In a checkout whose dist/ is missing or older
// than a source file, it runs the TypeScript sources through tsx instead (seconds slower, never
// stale), and says so on stderr; an installed package has no sources and always runs dist/.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { distState } from "./dist-state.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const state = distState(root);
let cli;
if (state === "stale") {
  process.stderr.write(
    "riposte: dist/ is missing or older than the sources; running them through tsx (npm run build:cli compiles)\n",
  );
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(pathToFileURL(join(root, "local", "cli", "run.ts")).href);
} else {
  try {
    cli = await import(pathToFileURL(join(root, "dist", "run.js")).href);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(join("dist", "run.js"))) throw error;
    process.stderr.write(
      `riposte: this installation is incomplete: ${join(root, "dist")} is missing; reinstall riposte\n`,
    );
    process.exit(70);
  }
}
await cli.runCli(process.argv.slice(2));
