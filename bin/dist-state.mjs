// Is dist/ (the compiled CLI) there, and built from the sources as they are now?
//
// Shared by bin/riposte.mjs (which runs dist/ only when it is current) and scripts/build-cli.mjs
// (which records what it compiled). Plain JavaScript with no dependencies: it runs before anything
// is compiled, and in an installed package, where neither the sources nor tsx exist.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The source trees the CLI is compiled from (a conservative superset of what it imports). */
export const SOURCE_DIRS = ["core", "workflows", "infra", "functions", "local"];

/** Written last by the build: the newest source time it compiled. */
export const STAMP = join("dist", ".sources-mtime");

/** Tests are not compiled, so editing one does not make dist/ stale. */
export function isCompiled(name) {
  return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts");
}

/**
 * The newest modification time among the compiled sources and their directories, in ms. A
 * directory's time moves when a file in it is added, removed or renamed, so a deleted module
 * makes dist/ stale too, not only an edited one.
 */
export function newestSourceMtime(root) {
  let newest = 0;
  const visit = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // Concatenated, not join()ed: `dir` is already normal, and this runs at every start.
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (isCompiled(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(root, dir));
  return newest;
}

/**
 * "installed": no sources beside bin/ (an npm package): dist/ is all there is.
 * "fresh": dist/ was built from the sources as they are now.
 * "stale": a checkout whose dist/ is missing, or older than a source.
 */
export function distState(root) {
  let hasSources;
  try {
    hasSources = statSync(join(root, "local")).isDirectory();
  } catch {
    hasSources = false;
  }
  if (!hasSources) return "installed";
  let built;
  try {
    built = Number(readFileSync(join(root, STAMP), "utf8"));
  } catch {
    return "stale";
  }
  return Number.isFinite(built) && newestSourceMtime(root) <= built ? "fresh" : "stale";
}
