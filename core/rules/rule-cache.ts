import { createHash } from "node:crypto";
import { extname } from "node:path";
import { cachedRule } from "./cached.js";
import type { UserRule } from "./format.js";

/**
 * Validated rules by a hash of their file (`ruleCacheKey`), kept between runs by the caller:
 * parsing and validating YAML is most of the start-up cost of hundreds of rules. A stored value is
 * used only for a file whose key is the one it is stored under, and only once it passes
 * `cachedRule`'s check (`cached.ts`); otherwise the file is parsed and validated from its text.
 */
export interface RuleCache {
  get(key: string): unknown;
  set(key: string, rule: UserRule): void;
}

export interface LoadOptions {
  maxPatternChars?: number;
  cache?: RuleCache;
}

const CACHE_FORMAT = 3;

/**
 * The cache key of a rule file: a hash of its text and of everything else its validation depends
 * on (JSON or YAML, the pattern size limit, the cache's format).
 */
export function ruleCacheKey(text: string, file: string, maxPatternChars: number | undefined): string {
  const kind = extname(file).toLowerCase() === ".json" ? "json" : "yaml";
  return createHash("sha256")
    .update(`riposte-rule-${CACHE_FORMAT}\0${kind}\0${maxPatternChars ?? "-"}\0`)
    .update(text)
    .digest("hex");
}

/**
 * The rule the cache holds for a file's text, when it holds one that passes `cachedRule`'s check
 * (`cached.ts`); undefined otherwise (the file is then parsed and validated: `parse-text.ts`).
 */
export function cachedRuleFor(text: string, file: string, options: LoadOptions): UserRule | undefined {
  if (!options.cache) return undefined;
  return cachedRule(options.cache.get(ruleCacheKey(text, file, options.maxPatternChars)));
}
