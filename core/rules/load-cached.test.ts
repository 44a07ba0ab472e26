import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import type { UserRule } from "./format.js";
import { loadRules, type RuleCache } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "riposte-rules-cached-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.doUnmock("./parse-text.js");
});

/** Records whether `loadRules` imports the module that parses rule text (and its YAML parser and schema). */
function watchParser(): { imported: boolean } {
  const seen = { imported: false };
  vi.doMock("./parse-text.js", async (original) => {
    seen.imported = true;
    return original();
  });
  return seen;
}

const memoryCache = (): RuleCache & { size: () => number } => {
  const stored = new Map<string, unknown>();
  return {
    get: (key) => stored.get(key),
    set: (key: string, rule: UserRule) => void stored.set(key, JSON.parse(JSON.stringify(rule))),
    size: () => stored.size,
  };
};

describe("loadRules with a cache", () => {
  it("parses nothing when the cache holds every file: the YAML parser and the rule schema are not loaded", async () => {
    // Arrange: a directory whose rule a first load puts in the cache.
    writeFileSync(join(dir, "a.yml"), GOOD_YAML);
    const cache = memoryCache();
    const first = await loadRules(dir, { cache });
    expect(cache.size()).toBe(1);

    // Act
    const parser = watchParser();
    const again = await loadRules(dir, { cache });

    // Assert: the same rule, from the cache, without the parser.
    expect(parser.imported).toBe(false);
    expect(again).toEqual(first);
    expect(again.rules.map((loaded) => loaded.rule.id)).toEqual(["root-created-user"]);
  });

  it("loads the parser for a file the cache does not hold, and parses it", async () => {
    // Arrange: a second file, not in the cache.
    writeFileSync(join(dir, "b.yml"), GOOD_YAML.replace("root-created-user", "second-rule"));
    const cache = memoryCache();
    await loadRules(join(dir, "a.yml"), { cache });

    // Act
    const parser = watchParser();
    const loaded = await loadRules(dir, { cache });

    // Assert
    expect(parser.imported).toBe(true);
    expect(loaded.rules.map((rule) => rule.rule.id)).toEqual(["root-created-user", "second-rule"]);
  });
});
