import { loadConfig } from "../../../core/config/load.js";
import { type Command, EXIT, UsageError } from "../command.js";

const usage = `Usage: riposte config check [FILE]

Validate a configuration file and print the effective configuration (defaults filled in).
Exits 0 when valid, 2 naming every bad setting otherwise.
`;

export const configCommand: Command = {
  name: "config",
  summary: "validate a configuration file (config check FILE)",
  usage,
  options: {},
  async run({ positionals }, io) {
    const [sub, file, ...extra] = positionals;
    if (sub !== "check") throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig(file);
    io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    io.stderr.write(`${file ?? "default configuration"}: valid\n`);
    return EXIT.ok;
  },
};
