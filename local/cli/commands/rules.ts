import { type Command, EXIT } from "../command.js";

const usage = `Usage: riposte rules list [--format table|json]
       riposte rules test <pattern.json> <events...> [--format text|jsonl]

List the detection catalog, or test an EventBridge pattern against events.
`;

// Wired by the foundation; the detection engine (issue 3) gives it its behaviour.
export const rulesCommand: Command = {
  name: "rules",
  summary: "list detections; test EventBridge patterns",
  usage,
  options: { format: { type: "string" } },
  async run(_args, io) {
    io.stderr.write("riposte rules: the detection engine is not available in this build\n");
    return EXIT.inputError;
  },
};
