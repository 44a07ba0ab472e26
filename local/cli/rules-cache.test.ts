import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { RULES_CACHE_FILE } from "./rules-cache.js";
import { loadCliRules } from "./rules-dir.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

function workspace(): string {
  const cwd = mkdtempSync(join(tmpdir(), "riposte-rules-cache-"));
  dirs.push(cwd);
  mkdirSync(join(cwd, "rules"));
  writeFileSync(join(cwd, "rules", "root.yml"), GOOD_YAML);
  return cwd;
}

function io(cwd: string) {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout: new PassThrough(), stderr, env: {}, cwd }, err: () => err };
}

const config = parseConfig({});
const load = (cwd: string) => {
  const c = io(cwd);
  return loadCliRules("scan", "rules", config, c.io).then((loaded) => ({ ...loaded, err: c.err() }));
};
const cacheOf = (cwd: string) =>
  new Map(
    (JSON.parse(readFileSync(join(cwd, "rules", RULES_CACHE_FILE), "utf8")) as { documents: [string, unknown][] })
      .documents,
  );
const writeCache = (cwd: string, documents: Map<string, unknown>) =>
  writeFileSync(join(cwd, "rules", RULES_CACHE_FILE), JSON.stringify({ format: 2, documents: [...documents] }));

describe("the rules directory's cache of parsed YAML", () => {
  it("keeps each file's document by its text, and loads the same rules from it", async () => {
    const cwd = workspace();

    const first = await load(cwd);
    const second = await load(cwd);

    expect([...cacheOf(cwd).keys()]).toEqual([GOOD_YAML]);
    expect(second.rules).toEqual(first.rules);
    expect(second.rules.map((loaded) => loaded.rule.id)).toEqual(["root-created-user"]);
  });

  it("reads a file's document from the cache, and still validates it; an edited file is parsed again", async () => {
    const cwd = workspace();
    await load(cwd);
    const document = cacheOf(cwd).get(GOOD_YAML) as Record<string, unknown>;

    // A cached document differing from the file shows the cache was read...
    writeCache(cwd, new Map([[GOOD_YAML, { ...document, title: "From the cache" }]]));
    expect((await load(cwd)).rules[0]?.rule.title).toBe("From the cache");
    // ...and validated like the file: an invalid one is reported, file, field and problem.
    writeCache(cwd, new Map([[GOOD_YAML, { ...document, severity: "apocalyptic" }]]));
    const invalid = await load(cwd);
    expect(invalid.rules).toEqual([]);
    expect(invalid.err).toMatch(/rules: root\.yml: severity: /);
    // An edited file has another hash: parsed from its text, and the cache keeps only current files.
    writeFileSync(join(cwd, "rules", "root.yml"), GOOD_YAML.replace("severity: high", "severity: low"));
    expect((await load(cwd)).rules[0]?.rule.severity).toBe("low");
    expect([...cacheOf(cwd).keys()]).toEqual([GOOD_YAML.replace("severity: high", "severity: low")]);
  });

  it("ignores a malformed cache and works in a read-only directory", async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, "rules", RULES_CACHE_FILE), "{ not json");
    expect((await load(cwd)).rules).toHaveLength(1);

    const readOnly = workspace();
    chmodSync(join(readOnly, "rules"), 0o500);
    try {
      const loaded = await load(readOnly);
      expect(loaded.rules).toHaveLength(1);
      expect(loaded.err).toBe("");
    } finally {
      chmodSync(join(readOnly, "rules"), 0o700);
    }
  });
});
