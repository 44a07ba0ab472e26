import { resolve } from "node:path";
import { exportWorkflows } from "../../../workflows/export.js";
import { allWorkflows } from "../../../workflows/index.js";
import { InvalidDefinition } from "../../interpreter/errors.js";
import { loadDefinition } from "../../interpreter/load.js";
import { type Command, EXIT, UsageError } from "../command.js";

const usage = `Usage: riposte workflows export <dir>

Write each category's state machine definition (ASL, JSONata) as <dir>/<category>.asl.json,
with the Lambda functions left as \${NameOfFunction} placeholders, for reading and diffing.
The directory is created if missing; existing files of the same names are replaced.
`;

/**
 * What Step Functions would refuse at CreateStateMachine in each definition, as the local
 * interpreter's loader judges it (JSONata 2.0.6 syntax, no `$eval`, no `$`/`$$` context, ASL
 * structure): "<name>: <problem>" lines, none when every definition would be accepted.
 */
export function refusedDefinitions(workflows: { name: string; definition: unknown }[]): string[] {
  const env = { now: () => 0, random: () => 0.5 };
  return workflows.flatMap(({ name, definition }) => {
    try {
      loadDefinition(definition, env);
      return [];
    } catch (error) {
      if (error instanceof InvalidDefinition) return error.problems.map((problem) => `${name}: ${problem}`);
      throw error;
    }
  });
}

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
    const refused = refusedDefinitions(allWorkflows());
    if (refused.length > 0) {
      for (const problem of refused) io.stderr.write(`riposte workflows: ${problem}\n`);
      io.stderr.write("riposte workflows: nothing written; Step Functions would refuse these definitions\n");
      return EXIT.inputError;
    }
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
