import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { DocumentCache } from "../../core/rules/load.js";

/**
 * The parsed YAML of a rules directory's files, kept between runs in the user's cache directory:
 * parsing 300 rule files' YAML was most of `scan --rules`'s start-up. Never in the rules
 * directory itself: reading rules (`scan`, `serve`, `rules list`/`test`) writes nothing there.
 *
 * Where: `RIPOSTE_CACHE_DIR`, else `$XDG_CACHE_HOME/riposte`, else `$HOME/.cache/riposte`; one
 * file per rules directory, named by the hash of its absolute path (`rules-<hash>.json`). No such
 * variable, or a directory that cannot be written: nothing is kept, silently.
 *
 * Keyed by each file's text, so an edited file is parsed again. Only the parsing is saved: the
 * documents are validated on every load all the same (`core/rules/load.ts`), so whoever could
 * write the cache can make a run load nothing a rule file could not say. The directory is made
 * readable by its owner only. Unreadable or malformed: ignored.
 */

const FORMAT = 2;

export interface FileDocumentCache extends DocumentCache {
  /** Write the documents used this run, when any was parsed anew or one went unused. */
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

export function rulesDirCache(dir: string, env: NodeJS.ProcessEnv): FileDocumentCache {
  const path = rulesCachePath(dir, env);
  let stored = new Map<string, unknown>();
  try {
    if (path) {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as { format?: unknown; dir?: unknown; documents?: unknown };
      if (parsed.format === FORMAT && parsed.dir === resolve(dir) && Array.isArray(parsed.documents)) {
        stored = new Map(
          parsed.documents.filter(
            (entry): entry is [string, unknown] =>
              Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string",
          ),
        );
      }
    }
  } catch {
    // No cache yet, or not one: every file is parsed.
  }
  const used = new Map<string, unknown>();
  let added = false;
  return {
    get(key) {
      const document = stored.get(key);
      if (document !== undefined) used.set(key, document);
      return document;
    },
    set(key, document) {
      used.set(key, document);
      added = true;
    },
    save() {
      if (!path || (!added && used.size === stored.size)) return;
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
        writeFileSync(temporary, JSON.stringify({ format: FORMAT, dir: resolve(dir), documents: [...used] }), {
          mode: 0o600,
        });
        renameSync(temporary, path);
      } catch {
        // No writable cache directory: the next run parses again.
        try {
          rmSync(temporary, { force: true });
        } catch {
          // Nothing was written.
        }
      }
    },
  };
}
