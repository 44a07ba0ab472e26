#!/usr/bin/env node
// Compile the CLI to JavaScript in dist/: esbuild bundles local/cli/run.ts, and each command is
// its own chunk, loaded by the command registry's dynamic import only when that command runs
// (`riposte --version` loads run.js and the small chunks it imports, nothing else). The files sit
// flat in dist/ so the scan reader worker (dist/scan-reader.js, an entry of its own) is beside
// whichever chunk holds scan-readers.ts, which starts it as "./scan-reader.js"; package.json and
// web/dist are found by walking up to the package root (local/package-root.ts).
//
// Bundling the pure-JavaScript packages (zod, jsonata, ws…) saves resolving and reading
// their many files at every start. Kept external, loaded from node_modules: better-sqlite3 (native
// addon), @ip-location-db/* (data files found with require.resolve), the AWS SDK and Slack client
// (large, loaded only by the commands that talk to AWS or Slack). A package the sources import must
// be in package.json "dependencies", or an installed riposte would lack it: the build refuses.
//
// Usage: node scripts/build-cli.mjs [--force]   (without --force, a current dist/ is left alone)
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { distState, newestSourceMtime, STAMP } from "../bin/dist-state.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Output name → source. bin/riposte.mjs imports dist/run.js. */
export const ENTRY_POINTS = { run: "local/cli/run.ts", "scan-reader": "core/engine/scan-reader.ts" };

export const EXTERNAL = ["better-sqlite3", "@ip-location-db/*", "@aws-sdk/*", "@smithy/*", "@slack/web-api"];

/** Which source file each output holds: read by the test that checks what `--version` loads. */
export const META = "dist/.meta.json";

/** A runtime import of a package riposte does not depend on. */
export class UndeclaredDependencyError extends Error {
  name = "UndeclaredDependencyError";
}

const PACKAGE_IN_PATH = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g;

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The packages our own sources import (bundled or external), not those packages' own imports. */
function importedPackages(metafile) {
  const names = new Set();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (path.includes("node_modules/") || path.startsWith("<")) continue;
    for (const imported of input.imports) {
      if (imported.path.startsWith("node:") || imported.path.startsWith("<")) continue;
      if (imported.external) {
        if (!imported.path.startsWith(".") && !imported.path.startsWith("/")) names.add(packageName(imported.path));
        continue;
      }
      const inModules = [...imported.path.matchAll(PACKAGE_IN_PATH)].at(-1);
      if (inModules) names.add(inModules[1]);
    }
  }
  return [...names].sort();
}

function checkDependencies(root, packages) {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const undeclared = packages.filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    throw new UndeclaredDependencyError(
      `the CLI imports ${undeclared.join(", ")} at run time, but package.json does not list ${undeclared.length === 1 ? "it" : "them"} in "dependencies": an installed riposte would fail to load ${undeclared.length === 1 ? "it" : "them"}`,
    );
  }
}

/** Build into a new directory and swap it in, so no one ever runs a half-written dist/. */
export async function buildCli({ force = false, root = repoRoot } = {}) {
  if (!force && distState(root) === "fresh") return undefined;
  // Taken before compiling: a source saved during the build is newer than the stamp, so stale.
  const newest = newestSourceMtime(root);
  const staging = join(root, `dist.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ENTRY_POINTS,
      outdir: staging,
      entryNames: "[name]",
      chunkNames: "[name]-[hash]",
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: EXTERNAL,
      // Bundled CommonJS packages call require(): give ESM output a real one.
      banner: {
        js: 'import { createRequire as riposteCreateRequire } from "node:module";\nconst require = riposteCreateRequire(import.meta.url);',
      },
      sourcemap: "linked",
      metafile: true,
      logLevel: "warning",
    });
    const packages = importedPackages(result.metafile);
    checkDependencies(root, packages);
    const outputs = Object.fromEntries(
      Object.entries(result.metafile.outputs)
        .filter(([path]) => path.endsWith(".js"))
        .map(([path, output]) => [path.slice(path.lastIndexOf("/") + 1), Object.keys(output.inputs)]),
    );
    writeFileSync(join(staging, META.slice("dist/".length)), `${JSON.stringify(outputs)}\n`);
    writeFileSync(join(staging, STAMP.slice("dist/".length)), String(newest));
    const old = join(root, `dist.old-${process.pid}`);
    try {
      renameSync(join(root, "dist"), old);
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
    try {
      renameSync(staging, join(root, "dist"));
    } catch (error) {
      // Another build (a second test run) swapped its dist/ in first; it compiled the same sources.
      if ((error.code !== "ENOTEMPTY" && error.code !== "EEXIST") || distState(root) !== "fresh") throw error;
    }
    rmSync(old, { recursive: true, force: true });
    return { outputs: Object.keys(outputs).length, packages };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  try {
    const built = await buildCli({ force: process.argv.includes("--force") });
    const ms = Math.round(performance.now() - started);
    console.log(
      built ? `riposte: compiled the CLI into dist/ (${built.outputs} files, ${ms} ms)` : "riposte: dist/ is current",
    );
  } catch (error) {
    console.error(`riposte: ${error.message}`);
    process.exitCode = 1;
  }
}
