import { parseArgs } from "node:util";
import { type CliIo, type Command, type EarlyWork, EXIT, UsageError } from "./command.js";
import { VERSION } from "./version.js";

/**
 * A command as the top level knows it: its name and summary, and how to load the rest. Each
 * command is imported only when it runs (or prints its own help), so `riposte --version` and
 * `riposte --help` load no detection, store or AWS SDK code, and `riposte scan` none of serve's.
 * The summary is repeated here from the command so listing commands loads none of them; a test
 * (main.test.ts) holds the two equal.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
  /**
   * Work the command can begin from its arguments (those after its name) while its code loads:
   * a scan's reader threads load theirs meanwhile. Undefined: nothing to begin for these arguments.
   */
  begin?(args: readonly string[], io: CliIo): Promise<EarlyWork | undefined>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "serve",
    summary: "run Riposte on this machine (API, workflows, dashboard)",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  {
    name: "scan",
    summary: "triage exported logs offline",
    load: async () => (await import("./commands/scan.js")).scanCommand,
    begin: async (args, io) => (await import("./commands/scan-begin.js")).beginScan(args, io),
  },
  {
    name: "rules",
    summary: "list detections; test EventBridge patterns",
    load: async () => (await import("./commands/rules.js")).rulesCommand,
  },
  {
    name: "workflows",
    summary: "export the Step Functions definitions (workflows export DIR)",
    load: async () => (await import("./commands/workflows.js")).workflowsCommand,
  },
  {
    name: "config",
    summary: "validate a configuration file (config check FILE)",
    load: async () => (await import("./commands/config.js")).configCommand,
  },
  {
    name: "exceptions",
    summary: "list time-boxed exceptions (exceptions list [--format json])",
    load: async () => (await import("./commands/exceptions.js")).exceptionsCommand,
  },
  {
    name: "deploy",
    summary: "show what `sst deploy` creates: policies, rules, workflows (deploy plan)",
    load: async () => (await import("./commands/deploy.js")).deployCommand,
  },
];

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: riposte <command> [options]",
    "",
    "Security auto-response for AWS: detect, enrich, score, notify, approve, remediate, verify.",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show help (also: riposte <command> --help)",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Run the CLI; returns the exit code (0 ok, 1 unreadable input, 2 usage, 3 findings at --fail-on). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    write(first === undefined ? io.stderr : io.stdout, mainUsage());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "-v" || first === "--version") {
    write(io.stdout, VERSION);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    write(io.stderr, `riposte: unknown ${first.startsWith("-") ? "option" : "command"} "${first}"\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  const help = rest.includes("-h") || rest.includes("--help");
  const early = help ? undefined : entry.begin?.(rest, io).catch(() => undefined);
  try {
    return await runCommand(entry, rest, io, early);
  } finally {
    await (await early)?.cancel();
  }
}

async function runCommand(
  entry: CommandEntry,
  rest: readonly string[],
  io: CliIo,
  early: Promise<EarlyWork | undefined> | undefined,
): Promise<number> {
  const command = await entry.load();
  if (rest.includes("-h") || rest.includes("--help")) {
    write(io.stdout, command.usage);
    return EXIT.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    write(io.stderr, `riposte ${command.name}: ${(error as Error).message}\n\n${command.usage}`);
    return EXIT.usage;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io, await early);
  } catch (error) {
    if (error instanceof UsageError) {
      write(io.stderr, `riposte ${command.name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    // Loaded here, not at the top: the command that threw has loaded it already.
    const { ConfigError } = await import("../../core/config/load.js");
    if (error instanceof ConfigError) {
      write(io.stderr, `riposte ${command.name}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
