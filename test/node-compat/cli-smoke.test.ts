import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { authorizeIngress, createSecurityGroup } from "../fixtures/events/cloudtrail.js";

/**
 * The CLI as a user runs it, on whatever Node runs this file: `npm test` runs it on the machine's
 * Node and again on Node 22 (the Lambda runtime, and what the AWS SDK requires from 2027) through
 * `npm run test:node22`, so a start-up or scan path that breaks on either Node fails here.
 */

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "riposte-node-compat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const riposte = (...args: string[]) =>
  run(process.execPath, ["bin/riposte.mjs", ...args], { cwd: repoRoot, timeout: 170_000 });

// Generous bounds: the CLI transpiles its sources at start, slowly on a loaded 2-core machine.
describe(`riposte CLI on Node ${process.versions.node}`, { timeout: 180_000 }, () => {
  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };

    const { stdout } = await riposte("--version");

    expect(stdout.trim()).toContain(version);
  });

  it("scans a gzipped CloudTrail file and prints its findings as JSON lines", async () => {
    const file = join(dir, "trail.json.gz");
    const records = [
      createSecurityGroup("sg-0node", "web", {}, { time: "2024-05-01T10:00:00Z" }),
      authorizeIngress("sg-0node", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], { time: "2024-05-01T10:01:00Z" }),
    ];
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));

    const { stdout } = await riposte("scan", "--format", "jsonl", file);

    const detections = stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { detection: string }).detection)
      .sort();
    expect(detections).toEqual(["sg-created-open", "sg-ssh-open-world"]);
  });
});
