import { type Dirent, readdirSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import type { RuleProblem, UserRule } from "./format.js";
import { cachedRuleFor, type LoadOptions } from "./rule-cache.js";

export { cachedRuleFor, type LoadOptions, type RuleCache, ruleCacheKey } from "./rule-cache.js";

/**
 * Loading a rules directory: every `.yml`, `.yaml` and `.json` file under it (subdirectories
 * included, hidden files and directories skipped), one rule per file. A file that cannot be read,
 * parsed or validated is reported — file, field, problem — and the others still load; so is a
 * second file with an id already loaded.
 */

export const RULE_FILE_EXTENSIONS = [".yml", ".yaml", ".json"] as const;
export const MAX_FILE_BYTES = 256 * 1024;
const MAX_FILES = 5000;

export interface LoadedRule {
  rule: UserRule;
  /** The file, relative to the directory when under it. */
  file: string;
}

export interface LoadedRules {
  rules: LoadedRule[];
  problems: RuleProblem[];
}

/** Parses and validates one file's text (`parse-text.ts`'s `parseRuleText`). */
export type ParseRuleText = (
  text: string,
  file: string,
  options: LoadOptions,
) => { rule: UserRule } | { problems: RuleProblem[] };

function isRuleFile(entry: Dirent): boolean {
  return entry.isFile() && (RULE_FILE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase());
}

async function listRuleFiles(dir: string, problems: RuleProblem[]): Promise<string[]> {
  const files: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: at, field: "(the directory)", problem: `cannot read: ${(error as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (isRuleFile(entry)) files.push(path);
      if (files.length > MAX_FILES) return;
    }
  };
  await walk(dir);
  return files;
}

/** `listRuleFiles`, synchronously (the stacks read the rules while SST builds the program). */
export function listRuleFilesSync(dir: string, problems: RuleProblem[]): string[] {
  const files: string[] = [];
  const walk = (at: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: at, field: "(the directory)", problem: `cannot read: ${(error as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isRuleFile(entry)) files.push(path);
      if (files.length > MAX_FILES) return;
    }
  };
  walk(dir);
  return files;
}

/** Every rule of a directory (or of one file), with every problem found. */
export async function loadRules(path: string, options: LoadOptions = {}): Promise<LoadedRules> {
  const problems: RuleProblem[] = [];
  let files: string[];
  let base = path;
  try {
    const info = await stat(path);
    if (info.isDirectory()) files = await listRuleFiles(path, problems);
    else {
      files = [path];
      base = join(path, "..");
    }
  } catch (error) {
    return unreadable(path, error);
  }
  files = capped(path, files, problems);
  // Read concurrently (a few at a time), then validate in order: problems and duplicate ids are
  // reported the same way whatever order the reads finish in.
  const texts = await readConcurrently(files, async (absolute): Promise<string | RuleProblem> => {
    const file = relative(base, absolute) || absolute;
    try {
      const info = await stat(absolute);
      if (info.size > MAX_FILE_BYTES) return tooLarge(file);
      return await readFile(absolute, "utf8");
    } catch (error) {
      return { file, field: "(the file)", problem: `cannot read: ${(error as Error).message}` };
    }
  });
  // The YAML parser and the schema are loaded only for a file the cache does not hold.
  const cached = new Map<string, UserRule>();
  let misses = false;
  for (const [i, text] of texts.entries()) {
    if (typeof text !== "string") continue;
    const file = relative(base, files[i]!) || files[i]!;
    const rule = cachedRuleFor(text, file, options);
    if (rule) cached.set(file, rule);
    else misses = true;
  }
  const parseText = misses ? (await import("./parse-text.js")).parseRuleText : undefined;
  const parse: ParseRuleText = (text, file, options) => {
    const rule = cached.get(file);
    return rule ? { rule } : parseText!(text, file, options);
  };
  return validateTexts(files, base, texts, problems, options, parse);
}

export function unreadable(path: string, error: unknown): LoadedRules {
  return {
    rules: [],
    problems: [{ file: path, field: "(the path)", problem: `cannot read: ${(error as Error).message}` }],
  };
}

export function tooLarge(file: string): RuleProblem {
  return { file, field: "(the file)", problem: `larger than ${MAX_FILE_BYTES / 1024} KiB` };
}

export function capped(path: string, files: string[], problems: RuleProblem[]): string[] {
  if (files.length <= MAX_FILES) return files;
  problems.push({
    file: path,
    field: "(the directory)",
    problem: `more than ${MAX_FILES} rule files; the rest were not read`,
  });
  return files.slice(0, MAX_FILES);
}

/** Each file's text validated in file order; a second file with an id already loaded is a problem. */
export function validateTexts(
  files: readonly string[],
  base: string,
  texts: readonly (string | RuleProblem)[],
  problems: RuleProblem[],
  options: LoadOptions,
  parse: ParseRuleText,
): LoadedRules {
  const rules: LoadedRule[] = [];
  const seen = new Map<string, string>();
  for (const [i, absolute] of files.entries()) {
    const file = relative(base, absolute) || absolute;
    const text = texts[i]!;
    if (typeof text !== "string") {
      problems.push(text);
      continue;
    }
    const result = parse(text, file, options);
    if ("problems" in result) {
      problems.push(...result.problems);
      continue;
    }
    const earlier = seen.get(result.rule.id);
    if (earlier) {
      problems.push({ file, field: "id", problem: `"${result.rule.id}" is already the id of ${earlier}` });
      continue;
    }
    seen.set(result.rule.id, file);
    rules.push({ rule: result.rule, file });
  }
  return { rules, problems };
}

/** `read` over every item, at most 16 at a time, results in the items' order. */
async function readConcurrently<T>(items: readonly string[], read: (item: string) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await read(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, items.length) }, worker));
  return results;
}

/** A problem as one line: `file: field: problem`. */
export function problemLine(problem: RuleProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.problem}`;
}
