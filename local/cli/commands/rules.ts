import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadConfig } from "../../../core/config/load.js";
import { CATALOG, detectionPattern, statePattern } from "../../../core/detections/catalog.js";
import { renderDetectionReference } from "../../../core/detections/reference.js";
import { terminalSafe } from "../../../core/engine/report.js";
import { type RuleTester, ruleTester } from "../../../core/engine/rule-tester.js";
import type { EventEnvelope } from "../../../core/model/event.js";
import { type CompiledPattern, compilePattern } from "../../../core/patterns/compile.js";
import { InvalidPattern } from "../../../core/patterns/errors.js";
import { matches } from "../../../core/patterns/match.js";
import { ruleDetection } from "../../../core/rules/detection.js";
import { type CliIo, type Command, EXIT, UsageError } from "../command.js";
import { loadCliRules } from "../rules-dir.js";
import { importSigma } from "./import-sigma.js";

const usage = `Usage: riposte rules list [--format table|json|markdown] [--config FILE] [--rules PATH]
       riposte rules test <pattern.json> <events...> [--format text|jsonl]
       riposte rules test --rules PATH <events...> [--format text|jsonl] [--config FILE]
       riposte rules import-sigma <files|dirs...> --out DIR [--format text|json]

list  Print the detection catalog. --format json prints
      [{"id","title","category","severity","attack","stateful","pattern"}], where pattern is the
      EventBridge pattern a deployed rule uses (loop prevention included; for stateful detections,
      the candidate events routed to the correlate function). --format markdown prints the
      detection reference (docs/detections.md). With your own rules (--rules PATH, a directory
      of rule files or one file, or the configuration's rules.dir), they follow the built-in
      detections, and the table and JSON show each one's origin: "built-in" or the rule's file.

test  EventBridge's TestEventPattern on this machine: for each event (EventBridge envelopes: a
      file of one, a JSON array, or JSON Lines) print whether the pattern matches. --format jsonl
      prints {"index","match"} per event. A pattern EventBridge would refuse (or whose answer
      depends on what Riposte cannot see, such as integers past 2^53) exits 2 naming where and
      why; events that are not EventBridge events are reported on stderr and exit 1.
      With --rules PATH: for each event, the rules that fire on it as scan and serve run them,
      events taken in the order given. A correlated rule fires once, on the event that completes
      its count within its window, and the events it counted before show "(counted by RULE)";
      --format jsonl prints {"index","rules","counted"} per event.
`;

/** The fields TestEventPattern requires of an event. */
const REQUIRED_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"];

function option<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${String(value)}")`);
}

async function list(values: Record<string, unknown>, io: CliIo): Promise<number> {
  const format = option("format", values.format, ["table", "json", "markdown"] as const, "table");
  const config = loadConfig(typeof values.config === "string" ? resolve(io.cwd, values.config) : undefined);
  if (format === "markdown") {
    if (values.rules !== undefined) throw new UsageError("--format markdown prints the built-in detections only");
    io.stdout.write(renderDetectionReference());
    return EXIT.ok;
  }
  const own = await loadCliRules("rules", values.rules, config, io);
  const withOrigin = own.dir !== undefined;
  const status = own.problems.length > 0 ? EXIT.inputError : EXIT.ok;
  const builtIn = CATALOG.map((definition) => {
    const fire = detectionPattern(definition, config);
    const learn = statePattern(definition, config);
    return {
      id: definition.id,
      title: definition.title,
      category: definition.category,
      severity: definition.severity,
      attack: definition.attack,
      stateful: definition.stateful,
      pattern: learn ? { $or: [fire, learn] } : fire,
      response: definition.response,
      origin: "built-in",
    };
  });
  const rules = own.rules.map(({ rule, file }) => {
    const spec = ruleDetection(rule);
    return {
      id: spec.id as string,
      title: spec.title,
      category: spec.category,
      severity: spec.severity,
      attack: spec.attack,
      stateful: spec.stateful,
      pattern: detectionPattern(spec, config),
      response: spec.response,
      origin: own.origin(file),
    };
  });
  const entries = [...builtIn, ...rules];
  if (format === "json") {
    const json = entries.map(({ response: _response, origin, ...entry }) =>
      withOrigin ? { ...entry, origin } : entry,
    );
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return status;
  }
  const rows = entries.map((entry) => [
    entry.id,
    entry.category,
    entry.severity,
    entry.attack.id,
    entry.stateful ? "stateful" : "stateless",
    entry.response.action ? `${entry.response.mode}: ${entry.response.action}` : entry.response.mode,
    ...(withOrigin ? [terminalSafe(entry.origin)] : []),
  ]);
  const header = ["ID", "CATEGORY", "SEVERITY", "ATT&CK", "KIND", "RESPONSE", ...(withOrigin ? ["ORIGIN"] : [])];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row
        .map((value, index) => value.padEnd(widths[index]!))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
  return status;
}

/** The events of one file: a JSON object, a JSON array, or JSON Lines. */
interface ParsedEvent {
  value?: unknown;
  error?: string;
  position: number;
}

function parseEvents(text: string): ParsedEvent[] {
  const trimmed = text.trim();
  try {
    const whole = JSON.parse(trimmed) as unknown;
    if (Array.isArray(whole)) return whole.map((value, index) => ({ value, position: index + 1 }));
    return [{ value: whole, position: 1 }];
  } catch {
    // Not one document: JSON Lines.
  }
  return text.split("\n").flatMap((line, index): ParsedEvent[] => {
    if (line.trim() === "") return [];
    try {
      return [{ value: JSON.parse(line) as unknown, position: index + 1 }];
    } catch (error) {
      return [{ error: `invalid JSON: ${(error as Error).message}`, position: index + 1 }];
    }
  });
}

function eventProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const missing = REQUIRED_FIELDS.filter((field) => !(field in value));
  if (missing.length === 0) return undefined;
  const hint =
    "eventSource" in value && "eventName" in value
      ? " (this looks like a CloudTrail record: EventBridge delivers it as the detail of an event)"
      : "";
  return `not an EventBridge event: missing ${missing.join(", ")}${hint}`;
}

/** What `rules test` checks each event against: one pattern, or your rules. */
type Tester = { kind: "pattern"; pattern: CompiledPattern } | { kind: "rules"; tester: RuleTester };

async function test(values: Record<string, unknown>, files: string[], io: CliIo): Promise<number> {
  const format = option("format", values.format, ["text", "jsonl"] as const, "text");
  let tester: Tester;
  let eventFiles: string[];
  let status: number = EXIT.ok;
  if (values.rules !== undefined) {
    const config = loadConfig(typeof values.config === "string" ? resolve(io.cwd, values.config) : undefined);
    const own = await loadCliRules("rules", values.rules, config, io);
    if (own.rules.length === 0) {
      io.stderr.write(`riposte rules: no rule loaded from ${terminalSafe(String(values.rules))}\n`);
      return EXIT.usage;
    }
    if (own.problems.length > 0) status = EXIT.inputError;
    tester = {
      kind: "rules",
      tester: ruleTester(
        own.rules.map((loaded) => loaded.rule),
        config,
      ),
    };
    eventFiles = files;
  } else {
    if (values.config !== undefined)
      throw new UsageError("--config applies to rules list, or to rules test with --rules");
    const [patternFile, ...rest] = files;
    if (!patternFile) throw new UsageError("missing the pattern file");
    eventFiles = rest;
    if (eventFiles.length === 0) throw new UsageError("missing the event files");
    try {
      tester = { kind: "pattern", pattern: compilePattern(await readFile(resolve(io.cwd, patternFile), "utf8")) };
    } catch (error) {
      const reason = error instanceof InvalidPattern ? error.message : `cannot read: ${(error as Error).message}`;
      io.stderr.write(`riposte rules: ${terminalSafe(patternFile)}: ${terminalSafe(reason)}\n`);
      return EXIT.usage;
    }
  }
  if (eventFiles.length === 0) throw new UsageError("missing the event files");
  let index = 0;
  let unreadable = 0;
  for (const file of eventFiles) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), "utf8");
    } catch (error) {
      io.stderr.write(
        `riposte rules: ${terminalSafe(file)}:0: cannot read: ${terminalSafe((error as Error).message)}\n`,
      );
      unreadable++;
      continue;
    }
    for (const entry of parseEvents(text)) {
      const problem = entry.error ?? eventProblem(entry.value);
      if (problem) {
        io.stderr.write(`riposte rules: ${terminalSafe(file)}:${entry.position}: ${terminalSafe(problem)}\n`);
        unreadable++;
        continue;
      }
      const where = `${terminalSafe(file)}:${entry.position}`;
      if (tester.kind === "pattern") {
        const match = matches(tester.pattern, entry.value);
        if (format === "jsonl") io.stdout.write(`${JSON.stringify({ index, match })}\n`);
        else io.stdout.write(`${index}\t${match ? "match" : "no match"}\t${where}\n`);
      } else {
        const { fired, counted } = await tester.tester.test(entry.value as EventEnvelope);
        if (format === "jsonl") io.stdout.write(`${JSON.stringify({ index, rules: fired, counted })}\n`);
        else {
          const shown = fired.length > 0 ? fired.join(",") : "no rule";
          io.stdout.write(
            `${index}\t${shown}${counted.length > 0 ? ` (counted by ${counted.join(",")})` : ""}\t${where}\n`,
          );
        }
      }
      index++;
    }
  }
  if (tester.kind === "rules") {
    const atEnd = await tester.tester.finish();
    if (atEnd.length > 0) {
      if (format === "jsonl") io.stdout.write(`${JSON.stringify({ end: true, rules: atEnd })}\n`);
      else io.stdout.write(`end\t${atEnd.join(",")}\t(windows closed at the last event)\n`);
    }
  }
  return unreadable > 0 ? EXIT.inputError : status;
}

export const rulesCommand: Command = {
  name: "rules",
  summary: "list detections; test EventBridge patterns",
  usage,
  options: {
    format: { type: "string" },
    config: { type: "string" },
    rules: { type: "string" },
    out: { type: "string" },
  },
  async run({ values, positionals }, io) {
    const [sub, ...rest] = positionals;
    if (sub === "list") {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      return list(values, io);
    }
    if (sub === "test") return test(values, rest, io);
    if (sub === "import-sigma") return importSigma(values, rest, io);
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand (list, test or import-sigma)");
  },
};
