import { readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { RuleProblem } from "./format.js";
import {
  capped,
  type LoadedRules,
  listRuleFilesSync,
  MAX_FILE_BYTES,
  tooLarge,
  unreadable,
  validateTexts,
} from "./load.js";
import { parseRuleText } from "./parse-text.js";

/**
 * `loadRules`, synchronously: what a deployment reads (`infra/config.ts`), where SST builds the
 * program without awaiting. The same files, problems and order.
 */
export function loadRulesSync(path: string, options: { maxPatternChars?: number } = {}): LoadedRules {
  const problems: RuleProblem[] = [];
  let files: string[];
  let base = path;
  try {
    if (statSync(path).isDirectory()) files = listRuleFilesSync(path, problems);
    else {
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
  return validateTexts(files, base, texts, problems, options, parseRuleText);
}
