import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DocumentCache } from "../../core/rules/load.js";

/**
 * The parsed YAML of a rules directory's files, kept in the directory itself
 * (`.riposte-cache.json`; the loader skips hidden files): parsing 300 rule files' YAML was most of
 * `scan --rules`'s start-up. Keyed by each file's text, so an edited file is parsed again; the documents are validated on every load all the same (`core/rules/load.ts`). It lives
 * beside the rules because only who may write the rules may write it. Unreadable or malformed:
 * ignored; unwritable (a read-only directory): not kept.
 */

export const RULES_CACHE_FILE = ".riposte-cache.json";
const FORMAT = 2;

export interface FileDocumentCache extends DocumentCache {
  /** Write the documents used this run, when any was parsed anew or one went unused. */
  save(): void;
}

export function rulesDirCache(dir: string): FileDocumentCache {
  const path = join(dir, RULES_CACHE_FILE);
  let stored = new Map<string, unknown>();
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { format?: unknown; documents?: unknown };
    if (parsed.format === FORMAT && Array.isArray(parsed.documents)) {
      stored = new Map(
        parsed.documents.filter(
          (entry): entry is [string, unknown] =>
            Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string",
        ),
      );
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
      if (!added && used.size === stored.size) return;
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, JSON.stringify({ format: FORMAT, documents: [...used] }));
        renameSync(temporary, path);
      } catch {
        // A read-only rules directory: the next run parses again.
      }
    },
  };
}
