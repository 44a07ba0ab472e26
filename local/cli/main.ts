import { parseArgs } from "node:util";
import { ConfigError } from "../../core/config/load.js";
import { type CliIo, type Command, EXIT, UsageError } from "./command.js";
import { configCommand } from "./commands/config.js";
import { deployCommand } from "./commands/deploy.js";
import { rulesCommand } from "./commands/rules.js";
import { scanCommand } from "./commands/scan.js";
import { serveCommand } from "./commands/serve.js";
import { workflowsCommand } from "./commands/workflows.js";
import { VERSION } from "./version.js";

export const COMMANDS: readonly Command[] = [
  serveCommand,
  scanCommand,
  rulesCommand,
  workflowsCommand,
  configCommand,
  deployCommand,
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
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    write(io.stderr, `riposte: unknown ${first.startsWith("-") ? "option" : "command"} "${first}"\n\n${mainUsage()}`);
    return EXIT.usage;
  }
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
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (error) {
    if (error instanceof UsageError) {
      write(io.stderr, `riposte ${command.name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      write(io.stderr, `riposte ${command.name}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
