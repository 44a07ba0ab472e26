import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { riposteCacheDir, rulesCachePath } from "./rules-cache.js";
import { loadCliRules } from "./rules-dir.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) {
    for (const sub of ["", "rules", "cache"]) if (existsSync(join(dir, sub))) chmodSync(join(dir, sub), 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A working directory with a rules directory of one file, and a cache directory of its own. */
function workspace(): { cwd: string; env: NodeJS.ProcessEnv } {
  const cwd = mkdtempSync(join(tmpdir(), "riposte-rules-cache-"));
  dirs.push(cwd);
  mkdirSync(join(cwd, "rules"));
  writeFileSync(join(cwd, "rules", "root.yml"), GOOD_YAML);
  return { cwd, env: { RIPOSTE_CACHE_DIR: join(cwd, "cache") } };
}

function io(cwd: string, env: NodeJS.ProcessEnv) {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout: new PassThrough(), stderr, env, cwd }, err: () => err };
}

const config = parseConfig({});
const load = ({ cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }) => {
  const c = io(cwd, env);
  return loadCliRules("scan", "rules", config, c.io).then((loaded) => ({ ...loaded, err: c.err() }));
};
const cachePath = ({ cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }) => rulesCachePath(join(cwd, "rules"), env)!;
const cacheOf = (space: { cwd: string; env: NodeJS.ProcessEnv }) =>
  new Map((JSON.parse(readFileSync(cachePath(space), "utf8")) as { documents: [string, unknown][] }).documents);
const writeCache = (space: { cwd: string; env: NodeJS.ProcessEnv }, documents: Map<string, unknown>) =>
  writeFileSync(
    cachePath(space),
    JSON.stringify({ format: 2, dir: join(space.cwd, "rules"), documents: [...documents] }),
  );

describe("the cache of a rules directory's parsed YAML", () => {
  it("is kept in the cache directory, never in the rules directory, and loads the same rules", async () => {
    const space = workspace();

    const first = await load(space);
    const second = await load(space);

    expect(readdirSync(join(space.cwd, "rules"))).toEqual(["root.yml"]);
    expect(cachePath(space).startsWith(join(space.cwd, "cache"))).toBe(true);
    expect([...cacheOf(space).keys()]).toEqual([GOOD_YAML]);
    expect(second.rules).toEqual(first.rules);
    expect(second.rules.map((loaded) => loaded.rule.id)).toEqual(["root-created-user"]);
  });

  it("keeps one file per rules directory, by its absolute path", () => {
    const env = { RIPOSTE_CACHE_DIR: "/var/cache/r" };
    expect(rulesCachePath("/srv/a/rules", env)).not.toBe(rulesCachePath("/srv/b/rules", env));
    expect(rulesCachePath("/srv/a/rules", env)).toBe(rulesCachePath("/srv/a/x/../rules", env));
    expect(rulesCachePath("/srv/a/rules", env)).toMatch(/^\/var\/cache\/r\/rules-[0-9a-f]{32}\.json$/);
  });

  it("is found in RIPOSTE_CACHE_DIR, else $XDG_CACHE_HOME/riposte, else ~/.cache/riposte, else nowhere", () => {
    expect(riposteCacheDir({ RIPOSTE_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/c");
    expect(riposteCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/riposte");
    // A relative XDG_CACHE_HOME is invalid (XDG base directory specification).
    expect(riposteCacheDir({ XDG_CACHE_HOME: "x", HOME: "/h" })).toBe("/h/.cache/riposte");
    expect(riposteCacheDir({})).toBeUndefined();
  });

  it("reads a file's document from the cache, and still validates it; an edited file is parsed again", async () => {
    const space = workspace();
    await load(space);
    const document = cacheOf(space).get(GOOD_YAML) as Record<string, unknown>;

    // A cached document differing from the file shows the cache was read...
    writeCache(space, new Map([[GOOD_YAML, { ...document, title: "From the cache" }]]));
    expect((await load(space)).rules[0]?.rule.title).toBe("From the cache");
    // ...and validated like the file: an invalid one is reported, file, field and problem.
    writeCache(space, new Map([[GOOD_YAML, { ...document, severity: "apocalyptic" }]]));
    const invalid = await load(space);
    expect(invalid.rules).toEqual([]);
    expect(invalid.err).toMatch(/rules: root\.yml: severity: /);
    // An edited file has another hash: parsed from its text, and the cache keeps only current files.
    writeFileSync(join(space.cwd, "rules", "root.yml"), GOOD_YAML.replace("severity: high", "severity: low"));
    expect((await load(space)).rules[0]?.rule.severity).toBe("low");
    expect([...cacheOf(space).keys()]).toEqual([GOOD_YAML.replace("severity: high", "severity: low")]);
  });

  it("ignores a malformed cache or another directory's, and is skipped silently when it cannot be written", async () => {
    const space = workspace();
    mkdirSync(join(space.cwd, "cache"));
    writeFileSync(cachePath(space), "{ not json");
    expect((await load(space)).rules).toHaveLength(1);
    const document = cacheOf(space).get(GOOD_YAML) as Record<string, unknown>;
    writeFileSync(
      cachePath(space),
      JSON.stringify({ format: 2, dir: "/elsewhere", documents: [[GOOD_YAML, { ...document, title: "Other" }]] }),
    );
    expect((await load(space)).rules[0]?.rule.title).not.toBe("Other");

    const readOnly = workspace();
    mkdirSync(join(readOnly.cwd, "cache"));
    chmodSync(join(readOnly.cwd, "cache"), 0o500);
    chmodSync(join(readOnly.cwd, "rules"), 0o500);
    try {
      const loaded = await load(readOnly);
      expect(loaded.rules).toHaveLength(1);
      expect(loaded.err).toBe("");
      expect(readdirSync(join(readOnly.cwd, "rules"))).toEqual(["root.yml"]);
    } finally {
      chmodSync(join(readOnly.cwd, "rules"), 0o700);
      chmodSync(join(readOnly.cwd, "cache"), 0o700);
    }

    // A cache directory that cannot be made (a file is in the way; chmod does not stop root).
    const blocked = workspace();
    writeFileSync(join(blocked.cwd, "cache"), "a file");
    const unwritable = await load(blocked);
    expect(unwritable.rules).toHaveLength(1);
    expect(unwritable.err).toBe("");
    expect(readdirSync(blocked.cwd).sort()).toEqual(["cache", "rules"]);

    const nowhere = workspace();
    const loaded = await load({ cwd: nowhere.cwd, env: {} });
    expect(loaded.rules).toHaveLength(1);
    expect(readdirSync(join(nowhere.cwd, "rules"))).toEqual(["root.yml"]);
  });
});
