import { createHash } from "node:crypto";
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
import { ruleCacheKey } from "../../core/rules/load.js";
import { MAX_PATTERN_CHARS } from "../../infra/rules.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { riposteCacheDir, rulesCachePath } from "./rules-cache.js";
import { loadCliRules } from "./rules-dir.js";
import { VERSION } from "./version.js";

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
  new Map((JSON.parse(readFileSync(cachePath(space), "utf8")) as { rules: [string, unknown][] }).rules);
const writeCache = (
  space: { cwd: string; env: NodeJS.ProcessEnv },
  rules: Map<string, unknown>,
  header: Record<string, unknown> = {},
) =>
  writeFileSync(
    cachePath(space),
    JSON.stringify({
      format: 3,
      version: VERSION,
      dir: join(space.cwd, "rules"),
      digest: createHash("sha256")
        .update(JSON.stringify([...rules]))
        .digest("hex"),
      rules: [...rules],
      ...header,
    }),
  );
/** The key the rule file `text` (root.yml) is cached under. */
const keyOf = (text: string) => ruleCacheKey(text, "root.yml", MAX_PATTERN_CHARS);

describe("the cache of a rules directory's validated rules", () => {
  it("is kept in the cache directory, never in the rules directory, and loads the same rules", async () => {
    const space = workspace();

    const first = await load(space);
    const second = await load(space);

    expect(readdirSync(join(space.cwd, "rules"))).toEqual(["root.yml"]);
    expect(cachePath(space).startsWith(join(space.cwd, "cache"))).toBe(true);
    expect([...cacheOf(space).keys()]).toEqual([keyOf(GOOD_YAML)]);
    expect(keyOf(GOOD_YAML)).toMatch(/^[0-9a-f]{64}$/);
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

  it("uses a cached rule for its file's text only, and only when it passes the check", async () => {
    const space = workspace();
    await load(space);
    const rule = cacheOf(space).get(keyOf(GOOD_YAML)) as Record<string, unknown>;
    const cachedAs = async (entry: Record<string, unknown>, header: Record<string, unknown> = {}) => {
      writeCache(space, new Map([[keyOf(GOOD_YAML), entry]]), header);
      return (await load(space)).rules[0]?.rule;
    };

    // A cached rule differing from the file shows the cache was read instead of the file...
    expect((await cachedAs({ ...rule, title: "From the cache" }))?.title).toBe("From the cache");
    // ...but one that says what no rule file could is ignored, and the file validated from its text.
    expect((await cachedAs({ ...rule, severity: "apocalyptic" }))?.severity).toBe("high");
    const destructive = { mode: "auto", action: "s3-block-public-access" };
    expect((await cachedAs({ ...rule, response: destructive }))?.response).toEqual({ mode: "notify" });
    const catastrophic = { field: "userAgent", regex: "(a+)+$" };
    expect((await cachedAs({ ...rule, condition: catastrophic }))?.condition).toEqual(rule.condition);
    expect((await cachedAs({ ...rule, id: "root-account-usage" }))?.id).toBe("root-created-user");
    // The file validated again replaced the entry that failed the check.
    expect((cacheOf(space).get(keyOf(GOOD_YAML)) as { id: string }).id).toBe("root-created-user");
    // Another riposte version's cache is not read, nor one whose digest does not match (corrupt).
    expect((await cachedAs({ ...rule, title: "Older" }, { version: "0.0.0-other" }))?.title).not.toBe("Older");
    expect((await cachedAs({ ...rule, title: "Corrupt" }, { digest: "0".repeat(64) }))?.title).not.toBe("Corrupt");

    // An edited file has another key: validated from its text, and the cache keeps only current files.
    writeCache(space, new Map([[keyOf(GOOD_YAML), { ...rule, title: "Stale" }]]));
    const edited = GOOD_YAML.replace("severity: high", "severity: low");
    writeFileSync(join(space.cwd, "rules", "root.yml"), edited);
    const reloaded = (await load(space)).rules[0]?.rule;
    expect(reloaded?.severity).toBe("low");
    expect(reloaded?.title).not.toBe("Stale");
    expect([...cacheOf(space).keys()]).toEqual([keyOf(edited)]);
  });

  it("reports an invalid file whatever the cache holds", async () => {
    const space = workspace();
    await load(space);
    const rule = cacheOf(space).get(keyOf(GOOD_YAML));
    const broken = GOOD_YAML.replace("severity: high", "severity: apocalyptic");
    writeFileSync(join(space.cwd, "rules", "root.yml"), broken);
    // The valid rule stays cached under the former text's key: never used for another text.
    writeCache(space, new Map([[keyOf(GOOD_YAML), rule]]));

    const invalid = await load(space);

    expect(invalid.rules).toEqual([]);
    expect(invalid.err).toMatch(/rules: root\.yml: severity: /);
  });

  it("ignores a malformed cache or another directory's, and is skipped silently when it cannot be written", async () => {
    const space = workspace();
    mkdirSync(join(space.cwd, "cache"));
    writeFileSync(cachePath(space), "{ not json");
    expect((await load(space)).rules).toHaveLength(1);
    const rule = cacheOf(space).get(keyOf(GOOD_YAML)) as Record<string, unknown>;
    writeCache(space, new Map([[keyOf(GOOD_YAML), { ...rule, title: "Other" }]]), { dir: "/elsewhere" });
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
