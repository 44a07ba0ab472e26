import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RiposteConfig } from "../../core/config/schema.js";
import { terminalSafe } from "../../core/engine/report.js";
import type { LoadedRules } from "../../core/rules/load.js";
import type { CliIo } from "./command.js";

/**
 * The users' rules a command runs: `--rules PATH` (a directory or one rule file), else the
 * configuration's `rules.dir`, else none. Problems are written to stderr, one line each
 * (`<command>: rules: file: field: problem`); the rules that loaded are returned either way.
 * Patterns are held to EventBridge's size quota, so what runs here can also be deployed. A
 * directory's validated rules are cached in the user's cache directory, never in the rules
 * directory (`rules-cache.ts`). The rule loader is imported only when there
 * are rules to load, and its YAML parser and schema only for a file the cache does not hold.
 */
export async function loadCliRules(
  command: string,
  option: unknown,
  config: RiposteConfig,
  io: CliIo,
): Promise<LoadedRules & { dir?: string; origin: (file: string) => string }> {
  const path = typeof option === "string" ? option : config.rules.dir;
  if (path === undefined) return { rules: [], problems: [], origin: (file) => file };
  const [{ loadRules, problemLine }, { MAX_PATTERN_CHARS }, { rulesDirCache }] = await Promise.all([
    import("../../core/rules/load.js"),
    import("../../core/deployment/quotas.js"),
    import("./rules-cache.js"),
  ]);
  const dir = resolve(io.cwd, path);
  const isFile = await stat(dir).then(
    (info) => !info.isDirectory(),
    () => false,
  );
  const cache = isFile ? undefined : rulesDirCache(dir, io.env);
  const loaded = await loadRules(dir, { maxPatternChars: MAX_PATTERN_CHARS, cache });
  cache?.save();
  for (const problem of loaded.problems)
    io.stderr.write(`riposte ${command}: rules: ${terminalSafe(problemLine(problem))}\n`);
  // A rule's origin as the user would type it: the file given, or the file under the directory given.
  return { ...loaded, dir: path, origin: (file) => (isFile ? path : join(path, file)) };
}
