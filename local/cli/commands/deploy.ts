import { ConfigError } from "../../../core/config/load.js";
import { loadDeployConfig } from "../../../infra/config.js";
import { deploymentPlan } from "../../../infra/plan.js";
import { ACCOUNT_PLACEHOLDER, PLACEHOLDER_MEANINGS, partitionOf } from "../../../infra/plan-arns.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { planTable } from "./deploy-table.js";

const placeholders = Object.entries(PLACEHOLDER_MEANINGS)
  .map(([name, meaning]) => `  ${name.padEnd(30)} ${meaning}`)
  .join("\n");

const usage = `Usage: riposte deploy plan [--config FILE] [--stage NAME] [--region R] [--format json|table]

Print what \`npx sst deploy --stage NAME\` creates, computed by the code the stacks run: every
function with its role and IAM policy, the service roles, every EventBridge rule with its
pattern and target, every state machine with its ASL, the queues and alarms, region forwarding
and the org-wide wiring. Nothing is deployed and no AWS call is made.

Options:
  --config FILE    the configuration (default: as the deploy finds it: RIPOSTE_CONFIG,
                   riposte.config.<stage>.json, riposte.config.json, else the defaults)
  --stage NAME     the stage (default: SST_STAGE, else "dev"); it is part of every name
  --region R       the home region (default: AWS_REGION); role names include it
  --format F       table (default) or json (everything, the ASL included)

Values only known once deployed are printed as placeholders:
${placeholders}
SST also gives each function role its own CloudWatch Logs permissions; they are not listed.

Exit codes: 0 the plan, 1 the deploy would stop (the reason is printed), 2 usage or configuration.
`;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const deployCommand: Command = {
  name: "deploy",
  summary: "show what `sst deploy` creates: policies, rules, workflows (deploy plan)",
  usage,
  options: {
    config: { type: "string" },
    stage: { type: "string" },
    region: { type: "string" },
    format: { type: "string" },
  },
  async run({ values, positionals }, io) {
    const [sub, ...extra] = positionals;
    if (sub !== "plan") throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const format = (values.format as string | undefined) ?? "table";
    if (format !== "json" && format !== "table")
      throw new UsageError(`--format: expected json or table, got "${format}"`);
    const stage = (values.stage as string | undefined) ?? io.env.SST_STAGE ?? "dev";
    if (!/^[a-zA-Z0-9-]{1,60}$/.test(stage)) throw new UsageError(`--stage: "${stage}" is not a stage name`);
    const region = (values.region as string | undefined) ?? io.env.AWS_REGION;
    if (!region) throw new UsageError("--region is required (or AWS_REGION): role names include the region");
    if (!REGION.test(region)) throw new UsageError(`--region: "${region}" is not an AWS region name`);
    const file = values.config as string | undefined;
    const env = file ? { RIPOSTE_CONFIG: file } : io.env;
    const deployment = loadDeployConfig(stage, { env, cwd: io.cwd });
    let plan: ReturnType<typeof deploymentPlan>;
    try {
      plan = deploymentPlan(deployment, {
        stage,
        region,
        partition: partitionOf(region),
        account: ACCOUNT_PLACEHOLDER,
      });
    } catch (error) {
      // A pattern over EventBridge's size, a prefix leaving no room for names: the deploy would fail the same way.
      throw new ConfigError(`${deployment.source} cannot be deployed: ${(error as Error).message}`);
    }
    io.stdout.write(format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : planTable(plan));
    for (const problem of plan.problems) io.stderr.write(`riposte deploy: the deploy would stop: ${problem}\n`);
    return plan.problems.length > 0 ? EXIT.inputError : EXIT.ok;
  },
};
