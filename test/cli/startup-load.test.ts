import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { GOOD_YAML } from "../fixtures/rules/own-rules.js";

/**
 * What `node bin/riposte.mjs …` loads, seen from inside the process: an ESM load hook
 * (module.register, preloaded with --import) appends every module URL to a file. Compiled files
 * in dist/ are mapped back to the sources they hold through dist/.meta.json (written by the build),
 * so the test reads the same whether bin/ ran dist/ or fell back to the TypeScript sources.
 */

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "riposte-startup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

writeFileSync(
  join(work, "hooks.mjs"),
  `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.RIPOSTE_LOAD_LOG, url + "\\n");
  return next(url, context);
}
`,
);
writeFileSync(
  join(work, "register.mjs"),
  `import { register } from "node:module";\nregister(${JSON.stringify(new URL(`file://${join(work, "hooks.mjs")}`).href)});\n`,
);

function loadedBy(args: string[], env: Record<string, string> = {}): string[] {
  const log = join(work, `${args.join("-").replace(/[^a-z-]/g, "")}.log`);
  writeFileSync(log, "");
  const result = spawnSync(process.execPath, ["--import", join(work, "register.mjs"), "bin/riposte.mjs", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, RIPOSTE_LOAD_LOG: log },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  const meta = JSON.parse(readFileSync(join(repoRoot, "dist/.meta.json"), "utf8")) as Record<string, string[]>;
  const distDir = join(repoRoot, "dist");
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file://"))
    .flatMap((url) => {
      const path = fileURLToPath(url);
      if (path.startsWith(`${distDir}/`)) return meta[relative(distDir, path)] ?? [`dist/${relative(distDir, path)}`];
      return [relative(repoRoot, path)];
    });
}

const record = join(work, "one.json");
writeFileSync(
  record,
  JSON.stringify({
    Records: [
      {
        eventVersion: "1.08",
        userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" },
        eventTime: "2026-01-01T00:00:00Z",
        eventSource: "signin.amazonaws.com",
        eventName: "ConsoleLogin",
        awsRegion: "us-east-1",
        sourceIPAddress: "203.0.113.5",
        responseElements: { ConsoleLogin: "Success" },
        eventID: "e1",
        recipientAccountId: "111122223333",
      },
    ],
  }),
);

const DETECTION_STORE_OR_AWS = /^(core\/detections\/|core\/store\/|local\/cli\/commands\/|local\/runtime\/)|@aws-sdk\//;

/**
 * The sources a compiled entry holds with every chunk it imports statically (what a thread started
 * on it loads before it runs), from dist/.meta.json.
 */
function compiledWith(entry: string): string[] {
  const meta = JSON.parse(readFileSync(join(repoRoot, "dist/.meta.json"), "utf8")) as Record<string, string[]>;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(repoRoot, "dist", file), "utf8");
    for (const [, chunk] of code.matchAll(/^(?:import|export)\b[^;]*?["']\.\/([^"']+\.js)["']/gms)) visit(chunk!);
  };
  visit(entry);
  return [...seen].flatMap((file) => meta[file] ?? []);
}

describe("what riposte loads at start", () => {
  it.each([[["--version"]], [["--help"]]])("%j loads no command, detection, store or AWS SDK code", (args) => {
    const loaded = loadedBy(args);

    expect(loaded.some((path) => path.endsWith("local/cli/main.ts"))).toBe(true);
    expect(loaded.filter((path) => DETECTION_STORE_OR_AWS.test(path))).toEqual([]);
  });

  it("scan loads the detections but not serve, the store or the AWS SDK", () => {
    const loaded = loadedBy(["scan", record]);

    expect(loaded).toContain("local/cli/commands/scan.ts");
    // The correlation state scan keeps in memory lives with the other stores' adapters; nothing else of them loads.
    expect(loaded).toContain("core/store/memory-correlation.ts");
    expect(
      loaded.filter(
        (path) =>
          path !== "core/store/memory-correlation.ts" &&
          /^(core\/store\/|local\/runtime\/|local\/cli\/commands\/serve)|@aws-sdk\//.test(path),
      ),
    ).toEqual([]);
  });

  it("a scan with no rules of the user's and no export format loads no rule loader, YAML parser, exporter or remediation code", () => {
    const loaded = loadedBy(["scan", record, "--format", "jsonl"]);

    expect(loaded).toContain("core/geo/mmdb.ts");
    expect(
      loaded.filter((path) =>
        /^(core\/rules\/load\.ts|core\/export\/(asff|ocsf)\.ts|core\/remediation\/)|node_modules\/(yaml|maxmind)\//.test(
          path,
        ),
      ),
    ).toEqual([]);
  });

  it("a scan whose rules all come from the cache loads no YAML parser, rule schema or validation library", () => {
    // Arrange: a rules directory and a cache of its own; a first scan validates the rule and fills the cache.
    const rules = join(work, "rules");
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, "root-created-user.yml"), GOOD_YAML);
    const env = { RIPOSTE_CACHE_DIR: join(work, "cache") };
    const first = loadedBy(["scan", record, "--format", "jsonl", "--rules", rules], env);
    expect(first).toContain("core/rules/parse-text.ts");

    // Act
    const loaded = loadedBy(["scan", record, "--format", "jsonl", "--rules", rules], env);

    // Assert: the rule loader ran, its parser and every schema did not.
    expect(loaded).toContain("core/rules/load.ts");
    expect(
      loaded.filter((path) =>
        /^core\/rules\/(parse-text|format|condition-schema)\.ts$|^core\/config\/(schema|load)\.ts$|(^|\/)node_modules\/(yaml|zod)\//.test(
          path,
        ),
      ),
    ).toEqual([]);
  });

  it("a scan reader thread loads the detections, but not the configuration schema or its validation library", () => {
    const loaded = compiledWith("scan-reader.js");

    expect(loaded).toContain("core/engine/scan-reader.ts");
    expect(loaded).toContain("core/detections/specs.ts");
    expect(loaded.filter((path) => /(^|\/)node_modules\/zod\/|^core\/config\/(schema|load)\.ts$/.test(path))).toEqual(
      [],
    );
  });
});
