import { type Command, EXIT } from "../command.js";

const usage = `Usage: riposte workflows export <dir>

Write each category's state machine definition as <category>.asl.json.
`;

// Wired by the foundation; the workflows issue (4) gives it its behaviour.
export const workflowsCommand: Command = {
  name: "workflows",
  summary: "export the Step Functions definitions (workflows export DIR)",
  usage,
  options: {},
  async run(_args, io) {
    io.stderr.write("riposte workflows: the workflows are not available in this build\n");
    return EXIT.inputError;
  },
};
