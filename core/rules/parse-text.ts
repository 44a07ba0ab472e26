import { extname } from "node:path";
import { parseDocument } from "yaml";
import { isJsonValue } from "./cached.js";
import { parseRule, type RuleProblem, type UserRule } from "./format.js";
import { cachedRuleFor, type LoadOptions, ruleCacheKey } from "./rule-cache.js";

/**
 * Parsing and validating a rule file's text (YAML or JSON, then the rule's schema): apart from
 * `load.ts` so that a run whose rules all come from the cache loads neither the YAML parser nor the
 * schema library (`loadRules` imports this module only for a file the cache does not hold).
 */

/** Parse one rule file's text (YAML or JSON by extension; JSON is YAML too, but errors read better this way). */
export function parseRuleText(
  text: string,
  file: string,
  options: LoadOptions = {},
): { rule: UserRule } | { problems: RuleProblem[] } {
  const cached = cachedRuleFor(text, file, options);
  if (cached) return { rule: cached };
  const key = options.cache ? ruleCacheKey(text, file, options.maxPatternChars) : undefined;
  const result = parseDocumentText(text, file, options);
  // Kept only when JSON holds it exactly (a YAML .inf or .nan would come back as null).
  if (key !== undefined && "rule" in result && isJsonValue(result.rule)) options.cache!.set(key, result.rule);
  return result;
}

function parseDocumentText(
  text: string,
  file: string,
  options: LoadOptions,
): { rule: UserRule } | { problems: RuleProblem[] } {
  let document: unknown;
  if (extname(file).toLowerCase() === ".json") {
    try {
      document = JSON.parse(text);
    } catch (error) {
      return { problems: [{ file, field: "(the file)", problem: `not valid JSON: ${(error as Error).message}` }] };
    }
  } else {
    const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    const error = parsed.errors[0];
    if (error) {
      return {
        problems: [
          { file, field: "(the file)", problem: `not valid YAML: ${error.message.split("\n")[0]!.replace(/:$/, "")}` },
        ],
      };
    }
    try {
      document = parsed.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return { problems: [{ file, field: "(the file)", problem: `not valid YAML: ${(error as Error).message}` }] };
    }
  }
  return parseRule(document, file, options);
}
