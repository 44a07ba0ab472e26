import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { RuleCache } from "../../core/rules/load.js";
import { VERSION } from "./version.js";

/**
 * The validated rules of a rules directory, kept between runs in the user's cache directory:
 * parsing and validating 300 rule files was most of `scan --rules`'s start-up. Never in the rules
 * directory itself: reading rules (`scan`, `serve`, `rules list`/`test`) writes nothing there.
 *
 * Where: `RIPOSTE_CACHE_DIR`, else `$XDG_CACHE_HOME/riposte`, else `$HOME/.cache/riposte`; one
 * file per rules directory, named by the hash of its absolute path (`rules-<hash>.json`). No such
 * variable, or a directory that cannot be written: nothing is kept, silently.
 *
 * Each rule is stored under the SHA-256 of its file's text (`ruleCacheKey`): an edited file has
 * another key and is validated again; an entry is never used for another text. A cache written by
 * another version of riposte, or whose digest (SHA-256 of its rules' JSON) does not match, is
 * dropped whole: a corrupt file is never read. An entry is checked before use (`core/rules/cached.ts`:
 * every field that grants something is what a rule file could say) rather than validated again;
 * one that fails the check is ignored and its file validated. The directory is made readable by
 * its owner only. Unreadable or malformed: ignored.
 */

const FORMAT = 3;

export interface FileRuleCache extends RuleCache {
  /** Write the rules used this run, when any was validated anew or one went unused. */
  save(): void;
}

/** The cache directory `env` names (see above), or undefined when it names none. */
export function riposteCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const own = env.RIPOSTE_CACHE_DIR;
  if (own) return resolve(own);
  // The XDG base directory specification: a relative value is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "riposte");
  const home = env.HOME;
  if (home && isAbsolute(home)) return join(home, ".cache", "riposte");
  return undefined;
}

/** Where the cache of the rules directory `dir` (absolute) is kept, or undefined for nowhere. */
export function rulesCachePath(dir: string, env: NodeJS.ProcessEnv): string | undefined {
  const base = riposteCacheDir(env);
  if (!base) return undefined;
  const key = createHash("sha256").update(resolve(dir)).digest("hex").slice(0, 32);
  return join(base, `rules-${key}.json`);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

const digestOf = (rules: unknown): string => createHash("sha256").update(JSON.stringify(rules)).digest("hex");

export function rulesDirCache(dir: string, env: NodeJS.ProcessEnv): FileRuleCache {
  const path = rulesCachePath(dir, env);
  let stored = new Map<string, unknown>();
  try {
    if (path) {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as {
        format?: unknown;
        version?: unknown;
        dir?: unknown;
        digest?: unknown;
        rules?: unknown;
      };
      if (
        parsed.format === FORMAT &&
        parsed.version === VERSION &&
        parsed.dir === resolve(dir) &&
        Array.isArray(parsed.rules) &&
        parsed.digest === digestOf(parsed.rules)
      ) {
        stored = new Map(
          parsed.rules.filter(
            (entry): entry is [string, unknown] =>
              Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && SHA256_HEX.test(entry[0]),
          ),
        );
      }
    }
  } catch {
    // No cache yet, or not one: every file is validated.
  }
  const used = new Map<string, unknown>();
  let added = false;
  return {
    get(key) {
      const rule = stored.get(key);
      if (rule !== undefined) used.set(key, rule);
      return rule;
    },
    set(key, rule) {
      // Replaces an entry that failed the loader's check.
      used.set(key, rule);
      added = true;
    },
    save() {
      if (!path || (!added && used.size === stored.size)) return;
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
        writeFileSync(
          temporary,
          JSON.stringify({
            format: FORMAT,
            version: VERSION,
            dir: resolve(dir),
            digest: digestOf([...used]),
            rules: [...used],
          }),
          { mode: 0o600 },
        );
        renameSync(temporary, path);
      } catch {
        // No writable cache directory: the next run validates again.
        try {
          rmSync(temporary, { force: true });
        } catch {
          // Nothing was written.
        }
      }
    },
  };
}
