import { resolve } from "node:path";
import { exportWorkflows } from "../../../workflows/export.js";
import { type Command, EXIT, UsageError } from "../command.js";

const usage = `Usage: riposte workflows export <dir>

Write each category's state machine definition (ASL, JSONata) as <dir>/<category>.asl.json,
with the Lambda functions left as \${NameOfFunction} placeholders, for reading and diffing.
The directory is created if missing; existing files of the same names are replaced.
`;

export const workflowsCommand: Command = {
  name: "workflows",
  summary: "export the Step Functions definitions (workflows export DIR)",
  usage,
  options: {},
  async run({ positionals }, io) {
    const [sub, dir, ...extra] = positionals;
    if (sub !== "export") throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand");
    if (!dir) throw new UsageError("missing the directory to write to");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    let files: string[];
    try {
      files = await exportWorkflows(resolve(io.cwd, dir));
    } catch (error) {
      io.stderr.write(`riposte workflows: cannot write to ${dir}: ${(error as Error).message}\n`);
      return EXIT.inputError;
    }
    for (const file of files) io.stdout.write(`${file}\n`);
    return EXIT.ok;
  },
};
