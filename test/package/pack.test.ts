import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The npm package, as `npm pack` makes it, run from a clean directory.
 *
 * What goes in is checked on the checkout itself (`npm pack --dry-run`: the "files" field). The
 * package then run is packed from a staging copy of those files whose web/dist is built here by
 * Vite: the browser suite rebuilds the checkout's web/dist while other tests run, and a pack taken
 * mid-build would hold half a dashboard.
 *
 * The tarball is unpacked where `npm install -g --prefix P` would put it (P/lib/node_modules/riposte,
 * with P/bin/riposte a link to its bin), but its dependencies are NOT installed from the registry:
 * the package's node_modules links to this checkout's, so the test is offline and quick. Not
 * covered here, therefore: that npm resolves and installs the dependencies (the build refuses a
 * runtime import of a package outside "dependencies", scripts/build-cli.mjs), and that no
 * devDependency is needed at run time beyond that check (this node_modules has them all).
 */

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "riposte-pack-"));
const staging = join(work, "staging");
const prefix = join(work, "prefix");
const installed = join(prefix, "lib", "node_modules", "riposte");
const riposte = join(prefix, "bin", "riposte");
const clean = join(work, "clean");
let listed: string[] = [];
let packed: string[] = [];
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

type PackReport = { filename: string; files: { path: string }[] }[];

/** `npm pack --json` in a directory; --ignore-scripts: dist/ is current (globalSetup), web/dist built below. */
function npmPack(cwd: string, dryRun: boolean): PackReport[number] {
  const args = ["pack", "--json", "--ignore-scripts", "--pack-destination", work, ...(dryRun ? ["--dry-run"] : [])];
  const result = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
  return (JSON.parse(result.stdout) as PackReport)[0]!;
}

beforeAll(() => {
  listed = npmPack(repoRoot, true)
    .files.map((file) => file.path)
    .sort();
  for (const path of listed.filter((path) => !path.startsWith("web/dist/"))) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    copyFileSync(join(repoRoot, path), join(staging, path));
  }
  const vite = join(repoRoot, "node_modules/vite/bin/vite.js");
  const web = spawnSync(
    process.execPath,
    [vite, "build", "web", "--logLevel", "warn", "--outDir", join(staging, "web/dist"), "--emptyOutDir"],
    { cwd: repoRoot, encoding: "utf8", timeout: 240_000 },
  );
  if (web.status !== 0) throw new Error(`dashboard build failed:\n${web.stdout}\n${web.stderr}`);
  const report = npmPack(staging, false);
  packed = report.files.map((file) => file.path).sort();
  mkdirSync(installed, { recursive: true });
  mkdirSync(join(prefix, "bin"));
  mkdirSync(clean);
  const untar = spawnSync("tar", ["-xzf", join(work, report.filename), "-C", installed, "--strip-components=1"]);
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  symlinkSync(join(repoRoot, "node_modules"), join(installed, "node_modules"));
  symlinkSync(join("..", "lib", "node_modules", "riposte", "bin", "riposte.mjs"), riposte);
}, 300_000);

function run(args: string[]) {
  return spawnSync(process.execPath, [riposte, ...args], { cwd: clean, encoding: "utf8", timeout: 120_000 });
}

describe("the packed npm package", () => {
  it("holds the compiled CLI and the dashboard, and no TypeScript sources or tests", () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { bin: { riposte: string } };

    expect(listed).toEqual(
      expect.arrayContaining([manifest.bin.riposte, "bin/dist-state.mjs", "dist/run.js", "dist/scan-reader.js"]),
    );
    expect(listed.filter((path) => !/^(bin|dist|web\/dist)\/|^(package\.json|README\.md)$/.test(path))).toEqual([]);
    expect(listed.filter((path) => path.endsWith(".ts"))).toEqual([]);
    expect(packed).toEqual(
      expect.arrayContaining([...listed.filter((path) => !path.startsWith("web/dist/")), "web/dist/index.html"]),
    );
  });

  it("prints its version and lists the rules from a clean directory", () => {
    const version = run(["--version"]);
    const rules = run(["rules", "list"]);

    expect(version.stderr).toBe("");
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
    expect(rules.status, rules.stderr).toBe(0);
    expect(rules.stdout).toContain("root-account-usage");
  });

  it("scans a file (the reader worker and the GeoIP/ASN data are found)", () => {
    const file = join(clean, "one.json");
    writeFileSync(
      file,
      JSON.stringify({
        Records: [
          {
            eventVersion: "1.08",
            userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" },
            eventTime: "2026-01-01T00:00:00Z",
            eventSource: "signin.amazonaws.com",
            eventName: "ConsoleLogin",
            awsRegion: "us-east-1",
            sourceIPAddress: "8.8.8.8",
            responseElements: { ConsoleLogin: "Success" },
            eventID: "e1",
            recipientAccountId: "111122223333",
          },
        ],
      }),
    );

    const scan = run(["scan", "--format", "jsonl", file]);

    expect(scan.status, scan.stderr).toBe(0);
    const finding = JSON.parse(scan.stdout.trim().split("\n")[0]!) as Record<string, unknown>;
    expect(JSON.stringify(finding)).toContain("root-account-usage");
  });

  it("serves the dashboard with serve --port 0 --no-demo", async () => {
    const child = spawn(
      process.execPath,
      [riposte, "serve", "--port", "0", "--no-demo", "--data-dir", join(work, "data")],
      {
        cwd: clean,
        env: { ...process.env, RIPOSTE_DASHBOARD_TOKEN: "pack-test-token-7c1d9e2f4a6b8c0d" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.add(child);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
        if (found) resolve(found);
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      child.once("exit", (code) => reject(new Error(`riposte serve exited with ${code}:\n${output}`)));
    });

    const page = await fetch(`${url}/`);
    const html = await page.text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    const script = asset ? await fetch(`${url}${asset}`) : undefined;

    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    children.delete(child);
    expect(page.status).toBe(200);
    expect(html).toContain('<div id="root"');
    expect(script?.status).toBe(200);
  });
});
