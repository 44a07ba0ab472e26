import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
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
const MAX_FILE_BYTES = 256 * 1024;
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

/** The rule files under `dir`, in name order, hidden files and directories skipped. */
function listRuleFiles(dir: string, problems: RuleProblem[]): string[] {
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

/** A rules path's files and their texts (or why each could not be read), before validation. */
export interface RuleTexts {
  files: string[];
  /** What the files are named relative to. */
  base: string;
  texts: (string | RuleProblem)[];
  problems: RuleProblem[];
}

/**
 * The texts of every rule file of a directory (or of one file), read with synchronous calls: a
 * command reads its rules once, at start, and a few hundred small files cost several thread-pool
 * round trips each when read asynchronously. A path that is not a directory must be a regular file
 * (a FIFO or a device would block the read); a file larger than `MAX_FILE_BYTES` is not read.
 */
export function readRuleTexts(path: string): RuleTexts | LoadedRules {
  const problems: RuleProblem[] = [];
  let files: string[];
  let base = path;
  try {
    const info = statSync(path);
    if (info.isDirectory()) files = listRuleFiles(path, problems);
    else if (!info.isFile()) {
      return {
        rules: [],
        problems: [{ file: path, field: "(the path)", problem: "not a regular file or a directory" }],
      };
    } else {
      files = [path];
      base = join(path, "..");
    }
  } catch (error) {
    return unreadable(path, error);
  }
  files = capped(path, files, problems);
  const texts = files.map((absolute): string | RuleProblem => {
    const file = relative(base, absolute) || absolute;
    try {
      if (statSync(absolute).size > MAX_FILE_BYTES) return tooLarge(file);
      return readFileSync(absolute, "utf8");
    } catch (error) {
      return { file, field: "(the file)", problem: `cannot read: ${(error as Error).message}` };
    }
  });
  return { files, base, texts, problems };
}

/** Every rule of a directory (or of one file), with every problem found. */
export async function loadRules(path: string, options: LoadOptions = {}): Promise<LoadedRules> {
  const read = readRuleTexts(path);
  if ("rules" in read) return read;
  const { files, base, texts, problems } = read;
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

function unreadable(path: string, error: unknown): LoadedRules {
  return {
    rules: [],
    problems: [{ file: path, field: "(the path)", problem: `cannot read: ${(error as Error).message}` }],
  };
}

function tooLarge(file: string): RuleProblem {
  return { file, field: "(the file)", problem: `larger than ${MAX_FILE_BYTES / 1024} KiB` };
}

function capped(path: string, files: string[], problems: RuleProblem[]): string[] {
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

/** A problem as one line: `file: field: problem`. */
export function problemLine(problem: RuleProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.problem}`;
}
