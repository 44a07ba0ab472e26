#!/usr/bin/env node
// Type-check sst.config.ts and stacks/ against the real SST v4 platform types, offline.
//
// `sst install` unpacks .sst/platform and installs the providers from npm, but first insists on
// the Pulumi CLI, which it downloads from GitHub (unreachable here). sst install runs with a
// private HOME (a temp directory, removed afterwards; see private-home.mjs), so whatever it puts
// there never reaches the user's home. When pulumi cannot be downloaded, we read the version SST
// pins from its own download error and put a placeholder that reports that version at the private
// ~/.config/sst/bin/pulumi. Nothing is deployed; this only type-checks.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPrivateHome } from "./private-home.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PLACEHOLDER_MARK = "riposte: placeholder pulumi for offline type-checking";
const privateHome = createPrivateHome(process.env);
process.on("exit", () => privateHome.remove());
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    privateHome.remove();
    process.exit(130);
  });
}
const pulumiPath = join(privateHome.home, ".config", "sst", "bin", "pulumi");
const env = {
  ...privateHome.env,
  SST_NO_BUN: "1",
  SST_STAGE: process.env.SST_STAGE ?? "typecheck",
  SST_TELEMETRY_DISABLED: "1",
  NO_COLOR: "1",
};

function log(message) {
  process.stderr.write(`typecheck-infra: ${message}\n`);
}

function installedSstVersion() {
  return JSON.parse(readFileSync(join(root, "node_modules", "sst", "package.json"), "utf8")).version;
}

function platformVersion() {
  const file = join(root, ".sst", "platform", "version");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

function sstInstall() {
  const sst = join(root, "node_modules", ".bin", "sst");
  const result = spawnSync(sst, ["install"], { cwd: root, env, encoding: "utf8", timeout: 15 * 60_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`, error: result.error };
}

function isPlaceholder(path) {
  return existsSync(path) && readFileSync(path, "utf8").includes(PLACEHOLDER_MARK);
}

/** Earlier versions of this script wrote the placeholder into the real home: say so (read only). */
function warnAboutOldPlaceholder() {
  const old = join(homedir(), ".config", "sst", "bin", "pulumi");
  if (isPlaceholder(old))
    log(`${old} is a placeholder pulumi left by an earlier version of this script; delete it before a real sst deploy`);
}

function writePlaceholder(version) {
  mkdirSync(dirname(pulumiPath), { recursive: true });
  writeFileSync(pulumiPath, `#!/bin/sh\n# ${PLACEHOLDER_MARK}\necho ${version}\n`);
  chmodSync(pulumiPath, 0o755);
  log(`placeholder pulumi ${version} written to ${pulumiPath}`);
}

function ensurePlatform() {
  const wanted = installedSstVersion();
  if (platformVersion() === wanted && existsSync(join(root, ".sst", "platform", "node_modules", "@pulumi", "aws")))
    return;
  log(`installing the SST ${wanted} platform (sst install)…`);
  let attempt = sstInstall();
  if (!attempt.ok) {
    const pinned = attempt.output.match(/pulumi\/releases\/download\/(v\d+\.\d+\.\d+)\//)?.[1];
    if (!pinned) {
      process.stderr.write(attempt.output);
      throw new Error(`sst install failed${attempt.error ? `: ${attempt.error.message}` : ""}`);
    }
    log(`sst ${wanted} pins pulumi ${pinned}, which cannot be downloaded here`);
    writePlaceholder(pinned);
    attempt = sstInstall();
    if (!attempt.ok) {
      process.stderr.write(attempt.output);
      throw new Error("sst install failed with the placeholder pulumi");
    }
  }
  log("platform installed");
}

warnAboutOldPlaceholder();
try {
  ensurePlatform();
} catch (error) {
  log(error.message);
  process.exit(1);
} finally {
  privateHome.remove();
}
// The stacks import pure builders from infra/ and core/. Those are type-checked by tsconfig.json in the Node
// environment they run in; here the SST platform's globals (bun-types among them) differ, so only
// diagnostics in sst.config.ts and stacks/ count. A diagnostic without a file (a broken
// configuration) always counts.
const tsc = spawnSync(
  join(root, "node_modules", ".bin", "tsc"),
  ["-p", join(root, "tsconfig.infra.json"), "--pretty", "false"],
  { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
if (tsc.error) {
  log(`tsc could not run: ${tsc.error.message}`);
  process.exit(1);
}
const lines = `${tsc.stdout ?? ""}${tsc.stderr ?? ""}`.split("\n");
const ours = (file) => file === "sst.config.ts" || file.startsWith("stacks/");
const kept = [];
let ignored = 0;
let current = false;
for (const line of lines) {
  const located = /^([^\s(][^(]*)\(\d+,\d+\): (error|warning)/.exec(line);
  if (located) current = ours(located[1].replaceAll("\\", "/"));
  else if (/^error TS\d+/.test(line)) current = true;
  else if (line.length > 0 && !/^\s/.test(line)) current = true;
  if (located && !current) ignored += 1;
  if (current && line.length > 0) kept.push(line);
}
if (kept.length > 0) process.stderr.write(`${kept.join("\n")}\n`);
if (ignored > 0)
  log(`${ignored} diagnostics outside sst.config.ts and stacks/ ignored (tsconfig.json checks that code)`);
process.exit(kept.length > 0 || (tsc.status !== 0 && ignored === 0) ? 1 : 0);
