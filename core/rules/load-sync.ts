import { type LoadedRules, readRuleTexts, validateTexts } from "./load.js";
import { parseRuleText } from "./parse-text.js";

/**
 * `loadRules`, synchronously: what a deployment reads (`infra/config.ts`), where SST builds the
 * program without awaiting. The same files, problems and order; every file parsed (no cache).
 */
export function loadRulesSync(path: string, options: { maxPatternChars?: number } = {}): LoadedRules {
  const read = readRuleTexts(path);
  if ("rules" in read) return read;
  return validateTexts(read.files, read.base, read.texts, read.problems, options, parseRuleText);
}
