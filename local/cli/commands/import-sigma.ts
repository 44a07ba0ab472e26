import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { terminalSafe } from "../../../core/engine/report.js";
import { parseRule } from "../../../core/rules/format.js";
import { translateSigma } from "../../../core/rules/sigma.js";
import { MAX_PATTERN_CHARS } from "../../../infra/rules.js";
import { type CliIo, EXIT, UsageError } from "../command.js";

/**
 * `riposte rules import-sigma`: Sigma rules (product aws, service cloudtrail) → rule files of the
 * rules directory format, notify-only, and a report of what was translated, translated with a
 * caveat, or refused, each with the reason (core/rules/sigma.ts says what each construct becomes).
 */

export type ImportOutcome =
  | { file: string; kind: "translated"; id: string; caveats: string[] }
  | { file: string; kind: "refused"; reason: string }
  /** A base rule of a correlation rule (which `generate: true` would also import on its own). */
  | { file: string; kind: "folded"; into: string };

const SIGMA_EXTENSIONS = new Set([".yml", ".yaml"]);

async function sigmaFiles(path: string, io: CliIo, unreadable: string[]): Promise<string[]> {
  const absolute = resolve(io.cwd, path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    unreadable.push(`${path}: cannot read: ${(error as Error).message}`);
    return [];
  }
  if (!info.isDirectory()) return [absolute];
  const files: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const at = join(dir, entry.name);
      if (entry.isDirectory()) await walk(at);
      else if (entry.isFile() && SIGMA_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(at);
    }
  };
  await walk(absolute);
  return files;
}

/** One Sigma document of a file: `shown` names it (`file#2` for the second of several). */
interface SigmaDocument {
  file: string;
  shown: string;
  document?: Record<string, unknown>;
  /** Why the document cannot be read as a rule. */
  unreadable?: string;
}

/** Every document of one file (a correlation rule and its base rule may share a file, separated by `---`). */
async function readDocuments(file: string, shown: string): Promise<SigmaDocument[]> {
  const text = await readFile(file, "utf8");
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(documents) || documents.length === 0) return [{ file, shown, unreadable: "empty file" }];
  return documents.map((document, i) => {
    const name = documents.length > 1 ? `${shown}#${i + 1}` : shown;
    if (document.errors.length > 0) {
      return { file, shown: name, unreadable: `not valid YAML: ${document.errors[0]!.message.split("\n")[0]}` };
    }
    const value = document.toJS() as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? { file, shown: name, document: value as Record<string, unknown> }
      : { file, shown: name, unreadable: "not a Sigma rule (a YAML map)" };
  });
}

const isCorrelation = (document: Record<string, unknown>) => "correlation" in document;

/** The rules correlation rules may name, by `name` and by `id`; and which are only parts of a correlation. */
function baseRules(documents: readonly SigmaDocument[]) {
  const rules = new Map<string, Record<string, unknown>>();
  for (const { document } of documents) {
    if (!document || isCorrelation(document)) continue;
    for (const key of [document.name, document.id]) if (typeof key === "string" && key) rules.set(key, document);
  }
  const folded = new Map<Record<string, unknown>, string>();
  for (const { document, shown } of documents) {
    if (!document || !isCorrelation(document)) continue;
    const correlation = document.correlation as Record<string, unknown> | null;
    // Sigma's default: a correlation's base rules raise no alert of their own (generate: false).
    if (correlation?.generate === true) continue;
    const names = correlation?.rules;
    for (const name of Array.isArray(names) ? names : []) {
      const base = typeof name === "string" ? rules.get(name) : undefined;
      if (base) folded.set(base, shown);
    }
  }
  return { rules, folded };
}

/** Translate, validate as a rule file (EventBridge's size quota included) and write one Sigma document. */
async function importOne(
  item: SigmaDocument,
  out: string,
  taken: Set<string>,
  rules: ReadonlyMap<string, unknown>,
): Promise<ImportOutcome> {
  const { file, shown, document } = item;
  if (!document) return { file: shown, kind: "refused", reason: item.unreadable ?? "no rule" };
  let translation = translateSigma(document, { taken, rules });
  let checked = translation.rule && parseRule(translation.rule, shown, { maxPatternChars: MAX_PATTERN_CHARS });
  if (checked && "problems" in checked && checked.problems.some((problem) => problem.field === "pattern")) {
    // Over EventBridge's quota: keep only source, eventSource and eventName in the pattern.
    translation = translateSigma(document, { taken, rules, optionalPatternParts: false });
    checked = translation.rule && parseRule(translation.rule, shown, { maxPatternChars: MAX_PATTERN_CHARS });
    if (checked && "rule" in checked)
      translation.caveats.push(
        "pattern reduced to the event sources and names: over EventBridge's size quota otherwise",
      );
  }
  if (translation.refused !== undefined) return { file: shown, kind: "refused", reason: translation.refused };
  if (!checked || "problems" in checked) {
    const problem = checked && "problems" in checked ? checked.problems[0]! : undefined;
    return {
      file: shown,
      kind: "refused",
      reason: problem ? `the translation is not a valid rule: ${problem.field}: ${problem.problem}` : "no rule",
    };
  }
  const rule = checked.rule;
  taken.add(rule.id);
  const header = `# Translated by riposte rules import-sigma from ${relative(out, file) || file}.\n`;
  await writeFile(join(out, `${rule.id}.yml`), header + stringify(translation.rule, { lineWidth: 0 }));
  return { file: shown, kind: "translated", id: rule.id, caveats: translation.caveats };
}

export async function importSigma(values: Record<string, unknown>, paths: string[], io: CliIo): Promise<number> {
  if (paths.length === 0) throw new UsageError("missing the Sigma files or directories to import");
  if (typeof values.out !== "string") throw new UsageError("missing --out DIR (where the rule files are written)");
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json")
    throw new UsageError(`--format must be one of text, json (got "${String(format)}")`);
  const out = resolve(io.cwd, values.out);
  await mkdir(out, { recursive: true });
  const unreadable: string[] = [];
  const outcomes: ImportOutcome[] = [];
  const taken = new Set<string>();
  const documents: SigmaDocument[] = [];
  for (const path of paths) {
    for (const file of await sigmaFiles(path, io, unreadable)) {
      const shown = relative(io.cwd, file) || file;
      try {
        documents.push(...(await readDocuments(file, shown)));
      } catch (error) {
        unreadable.push(`${shown}: ${(error as Error).message}`);
      }
    }
  }
  const { rules, folded } = baseRules(documents);
  for (const item of documents) {
    const into = item.document && folded.get(item.document);
    if (into) {
      outcomes.push({ file: item.shown, kind: "folded", into });
      continue;
    }
    try {
      outcomes.push(await importOne(item, out, taken, rules));
    } catch (error) {
      unreadable.push(`${item.shown}: ${(error as Error).message}`);
    }
  }
  const clean = outcomes.filter((outcome) => outcome.kind === "translated" && outcome.caveats.length === 0).length;
  const caveat = outcomes.filter((outcome) => outcome.kind === "translated" && outcome.caveats.length > 0).length;
  const foldedCount = outcomes.filter((outcome) => outcome.kind === "folded").length;
  const refused = outcomes.length - clean - caveat - foldedCount;
  if (format === "json") {
    io.stdout.write(`${JSON.stringify({ outcomes, clean, caveat, folded: foldedCount, refused }, null, 2)}\n`);
  } else {
    for (const outcome of outcomes) {
      const file = terminalSafe(outcome.file);
      if (outcome.kind === "refused") io.stdout.write(`refused     ${file}: ${terminalSafe(outcome.reason)}\n`);
      else if (outcome.kind === "folded")
        io.stdout.write(`folded      ${file}: counted by the correlation rule ${terminalSafe(outcome.into)}\n`);
      else if (outcome.caveats.length === 0) io.stdout.write(`translated  ${file} → ${outcome.id}\n`);
      else io.stdout.write(`caveat      ${file} → ${outcome.id}: ${terminalSafe(outcome.caveats.join("; "))}\n`);
    }
    // Base rules folded into a correlation are parts of the rule counted there, not rules of their own.
    const total = outcomes.length - foldedCount;
    const share = total > 0 ? Math.round((clean / total) * 1000) / 10 : 0;
    const foldedNote = foldedCount > 0 ? `, ${foldedCount} folded into correlation rules` : "";
    io.stdout.write(
      `${total} Sigma rule${total === 1 ? "" : "s"}: ${clean} translated cleanly (${share} %), ${caveat} with a caveat, ${refused} refused${foldedNote}; rule files in ${terminalSafe(values.out)}\n`,
    );
  }
  for (const line of unreadable) io.stderr.write(`riposte rules: ${terminalSafe(line)}\n`);
  return unreadable.length > 0 ? EXIT.inputError : EXIT.ok;
}
