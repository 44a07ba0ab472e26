import { CATEGORIES, type Category } from "../../core/model/catalog.js";
import { TASK_NAMES, type TaskName } from "../../core/model/tasks.js";
import { TASK_FUNCTION_SPECS } from "../../infra/functions.js";
import { type AslStateMachine, placeholder, workflowDefinition } from "../../workflows/index.js";

/**
 * What an incident costs on AWS, counted from the ASL itself: each workflow path is walked state
 * by state (Step Functions bills every state entered as a transition) and every Task state is a
 * Lambda invocation of its function, at that function's memory. Durations are assumptions (warm
 * invocations, `assumedWarmMs` in `infra/functions.ts`), not measurements; prices are AWS's us-east-1 list prices written in here, not
 * fetched at run time (check the pricing pages in `sources` before relying on them).
 */

export const PRICES = {
  region: "us-east-1",
  /** Step Functions Standard: per state transition ($0.025 per 1,000). */
  stateTransition: 0.025 / 1000,
  /** Lambda: per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda on Arm: per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand: per write and read request unit ($0.625 and $0.125 per million). */
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  sources: [
    "https://aws.amazon.com/step-functions/pricing/",
    "https://aws.amazon.com/lambda/pricing/",
    "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  ],
} as const;

/**
 * Store requests of one incident through the approval path, as counted by
 * `test/deploy/sdk-permissions.test.ts` (20 writes, 24 reads: the exceptions query the open step makes is the 24th); every path costs at most this.
 * Items are assumed to be up to 2 KB (2 write units, eventually consistent reads of 2 units).
 */
export const STORE_REQUESTS_PER_INCIDENT = { writes: 20, reads: 24, unitsPerRequest: 2 } as const;

export interface WorkflowPath {
  name: string;
  /** Choice state → the branch taken (unlisted choices take their Default). */
  choices?: Record<string, string>;
  /** Task state → the Catch target taken instead of Next. */
  catches?: Record<string, string>;
}

export const WORKFLOW_PATHS: readonly WorkflowPath[] = [
  { name: "duplicate delivery", choices: { "Already being handled?": "Duplicate delivery: nothing to do" } },
  { name: "event holds no finding", catches: { "Open the incident": "Not an incident" } },
  { name: "dismissed", choices: { "Dismiss without notice?": "Close as dismissed" } },
  { name: "notify only", choices: { "Remediation planned?": "Close as notified" } },
  {
    name: "automatic, dry-run",
    choices: { "Remediation planned?": "Ask the actor first?", "Risk removed?": "Close as mitigated" },
  },
  {
    name: "automatic, live",
    choices: {
      "Remediation planned?": "Ask the actor first?",
      "Live change?": "Wait for the change to take effect",
      "Risk removed?": "Close as mitigated",
    },
  },
  {
    name: "approved, live",
    choices: {
      "Remediation planned?": "Ask the actor first?",
      "Approval required?": "Request approval",
      "Approval granted?": "Remediate the target",
      "Live change?": "Wait for the change to take effect",
      "Risk removed?": "Close as mitigated",
    },
  },
  {
    name: "was this you? No, live",
    choices: {
      "Remediation planned?": "Ask the actor first?",
      "Ask the actor first?": "Ask the actor: was this you?",
      "Was it the actor?": "Not the actor: page on-call",
      "Live change?": "Wait for the change to take effect",
      "Risk removed?": "Close as mitigated",
    },
  },
  {
    name: "was this you? Yes, reverted after N h, live",
    choices: {
      "Remediation planned?": "Ask the actor first?",
      "Ask the actor first?": "Ask the actor: was this you?",
      "Was it the actor?": "Keep the change until the revert time",
      "Live change?": "Wait for the change to take effect",
      "Risk removed?": "Close as mitigated",
    },
  },
  {
    name: "rejected",
    choices: { "Remediation planned?": "Ask the actor first?", "Approval required?": "Request approval" },
  },
  {
    name: "live, verification failed",
    choices: { "Remediation planned?": "Ask the actor first?", "Live change?": "Wait for the change to take effect" },
  },
];

export interface PathCount {
  path: string;
  transitions: number;
  invocations: Partial<Record<TaskName, number>>;
  states: string[];
}

const TASK_BY_PLACEHOLDER = new Map(TASK_NAMES.map((task) => [placeholder(task), task]));

function branchesOf(state: Record<string, unknown>): string[] {
  const choices = (state.Choices as { Next: string }[] | undefined) ?? [];
  return [...choices.map((choice) => choice.Next), ...(state.Default ? [String(state.Default)] : [])];
}

/** Walk one path through a definition (with `${…Function}` placeholders), counting what it bills. */
export function walkPath(definition: AslStateMachine, path: WorkflowPath): PathCount {
  const count: PathCount = { path: path.name, transitions: 0, invocations: {}, states: [] };
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    const state: Record<string, unknown> | undefined = definition.States[name];
    if (!state) throw new Error(`${path.name}: no state "${name}"`);
    if (count.transitions > 200) throw new Error(`${path.name}: the path does not end`);
    count.transitions += 1;
    count.states.push(name);
    const type = state.Type;
    if (type === "Task") {
      const task = TASK_BY_PLACEHOLDER.get(String((state.Arguments as { FunctionName?: string }).FunctionName));
      if (!task) throw new Error(`${path.name}: "${name}" invokes no task function`);
      count.invocations[task] = (count.invocations[task] ?? 0) + 1;
      const caught: string | undefined = path.catches?.[name];
      if (caught && !((state.Catch as { Next: string }[] | undefined) ?? []).some((c) => c.Next === caught)) {
        throw new Error(`${path.name}: "${name}" has no Catch to "${caught}"`);
      }
      name = caught ?? (state.Next as string | undefined);
    } else if (type === "Choice") {
      const chosen = path.choices?.[name] ?? String(state.Default);
      if (!branchesOf(state).includes(chosen))
        throw new Error(`${path.name}: "${chosen}" is not a branch of "${name}"`);
      name = chosen;
    } else if (type === "Succeed" || type === "Fail") {
      name = undefined;
    } else {
      name = state.Next as string | undefined;
    }
  }
  for (const [state, chosen] of Object.entries(path.choices ?? {})) {
    if (!count.states.includes(state))
      throw new Error(`${path.name}: the choice at "${state}" (${chosen}) is never reached`);
  }
  return count;
}

export interface PathCost extends PathCount {
  lambdaInvocations: number;
  gbSeconds: number;
  stepFunctions: number;
  lambda: number;
  total: number;
}

/** The cost of one execution of a path. */
export function pathCost(count: PathCount): PathCost {
  let lambdaInvocations = 0;
  let gbSeconds = 0;
  for (const [task, times] of Object.entries(count.invocations) as [TaskName, number][]) {
    lambdaInvocations += times;
    const { memoryMb, assumedWarmMs } = TASK_FUNCTION_SPECS[task];
    gbSeconds += times * (memoryMb / 1024) * (assumedWarmMs / 1000);
  }
  const stepFunctions = count.transitions * PRICES.stateTransition;
  const lambda = lambdaInvocations * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaArmGbSecond;
  return { ...count, lambdaInvocations, gbSeconds, stepFunctions, lambda, total: stepFunctions + lambda };
}

/** Every path of every category: the categories share one skeleton, so their counts agree. */
export function workflowCosts(category: Category = "network"): PathCost[] {
  return WORKFLOW_PATHS.map((path) => pathCost(walkPath(workflowDefinition(category), path)));
}

/** The store's cost per incident (on-demand request units). */
export function storeCostPerIncident(): number {
  const { writes, reads, unitsPerRequest } = STORE_REQUESTS_PER_INCIDENT;
  return writes * unitsPerRequest * PRICES.dynamoWriteUnit + reads * unitsPerRequest * PRICES.dynamoReadUnit;
}

/** Dollars with two significant digits below ten cents (`$0.00045`), cents above. */
export function dollars(value: number): string {
  if (value === 0 || value >= 0.1) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(Math.max(2, 1 - Math.floor(Math.log10(value))))}`;
}

/** The store's cost of one path: the measured incident for paths that open one, a read and a write otherwise. */
function storeCostOf(count: PathCount): number {
  if (count.states.includes("Enrich the incident")) return storeCostPerIncident();
  return (
    PRICES.dynamoWriteUnit * STORE_REQUESTS_PER_INCIDENT.unitsPerRequest +
    PRICES.dynamoReadUnit * STORE_REQUESTS_PER_INCIDENT.unitsPerRequest
  );
}

/** A Markdown table with its columns padded to width, as the formatter (Biome) prints it. */
export function markdownTable(headers: string[], align: ("left" | "right")[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(3, header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) =>
        align[column] === "right" ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join(" | ")} |`;
  const rule = `| ${widths.map((width, column) => (align[column] === "right" ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** The README's cost table and arithmetic (a test keeps the README in step with it). */
export function costReport(): string {
  const costs = workflowCosts();
  const store = storeCostPerIncident();
  const rows = costs.map((cost) => [
    cost.path,
    String(cost.transitions),
    String(cost.lambdaInvocations),
    cost.gbSeconds.toFixed(2),
    dollars(cost.stepFunctions * 1000),
    dollars(cost.lambda * 1000),
    dollars(storeCostOf(cost) * 1000),
    dollars((cost.total + storeCostOf(cost)) * 1000),
  ]);
  const example = costs.find((cost) => cost.path === "automatic, live")!;
  const perTask = (Object.entries(example.invocations) as [TaskName, number][])
    .map(
      ([task, times]) =>
        `${times} × ${TASK_FUNCTION_SPECS[task].memoryMb} MB × ${TASK_FUNCTION_SPECS[task].assumedWarmMs} ms (${task})`,
    )
    .join(" + ");
  const { writes, reads, unitsPerRequest } = STORE_REQUESTS_PER_INCIDENT;
  return [
    markdownTable(
      [
        "workflow path",
        "state transitions",
        "Lambda invocations",
        "GB-s",
        "Step Functions",
        "Lambda",
        "DynamoDB",
        "total",
      ],
      ["left", "right", "right", "right", "right", "right", "right", "right"],
      rows,
    ),
    "",
    `Costs per 1,000 executions of the path. Prices: ${PRICES.region} list prices (written into \`scripts/docs/costs.ts\`, not fetched at run time; check the AWS pricing pages) — Step Functions Standard $0.025 per 1,000 state transitions, Lambda $0.20 per million requests and $${PRICES.lambdaArmGbSecond} per GB-second on Arm, DynamoDB on-demand $0.625 per million write and $0.125 per million read request units. Lambda durations are assumptions for warm invocations (${TASK_NAMES.map((task) => `${task} ${TASK_FUNCTION_SPECS[task].assumedWarmMs} ms`).join(", ")}), not measurements; store requests are those counted in \`test/deploy/sdk-permissions.test.ts\`, with items assumed up to 2 KB.`,
    "",
    `The "automatic, live" row worked out: ${example.transitions} transitions × $0.000025 = ${dollars(example.stepFunctions)} per incident; Lambda ${example.lambdaInvocations} requests × $0.0000002 + (${perTask}) = ${example.gbSeconds.toFixed(3)} GB-s × $${PRICES.lambdaArmGbSecond} = ${dollars(example.lambda)}; DynamoDB ${writes} writes × ${unitsPerRequest} units × $0.000000625 + ${reads} reads × ${unitsPerRequest} units × $0.000000125 = ${dollars(store)}; so ${dollars(example.total + store)} per incident, ${dollars((example.total + store) * 1000)} per 1,000.`,
  ].join("\n");
}

/** Categories whose workflow differs from the network one (none today: they share the skeleton). */
export function categoriesWithOtherCounts(): Category[] {
  const reference = workflowCosts("network").map((cost) => [cost.transitions, cost.lambdaInvocations]);
  return CATEGORIES.filter(
    (category) =>
      JSON.stringify(workflowCosts(category).map((cost) => [cost.transitions, cost.lambdaInvocations])) !==
      JSON.stringify(reference),
  );
}
