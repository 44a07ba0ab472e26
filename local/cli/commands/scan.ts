import { type Command, EXIT } from "../command.js";

const usage = `Usage: riposte scan [options] <file|dir>...

Run every detection over exported logs (CloudTrail, GuardDuty, VPC Flow Logs, WAF, ALB).

Options:
  --format FORMAT     table (default) or jsonl
  --fail-on SEVERITY  exit 3 when a finding of this severity or higher exists
  --config FILE       configuration file
  -h, --help          show this help
`;

// Wired by the foundation; the detection engine (issue 3) gives it its behaviour.
export const scanCommand: Command = {
  name: "scan",
  summary: "triage exported logs offline",
  usage,
  options: { format: { type: "string" }, "fail-on": { type: "string" }, config: { type: "string" } },
  async run(_args, io) {
    io.stderr.write("riposte scan: the detection engine is not available in this build\n");
    return EXIT.inputError;
  },
};
