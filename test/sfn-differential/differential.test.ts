import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideApproval } from "../../core/approval/decide.js";
import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput } from "../../core/config/schema.js";
import { incidentIdFor } from "../../core/incidents/id.js";
import { silentLogger } from "../../core/log.js";
import { CATEGORIES, type Category } from "../../core/model/catalog.js";
import type { HistoryEvent } from "../../core/model/history.js";
import type { Finding } from "../../core/model/incident.js";
import type { TaskName } from "../../core/model/tasks.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import type { TaskDeps } from "../../core/task-deps.js";
import type { FunctionResolver, LocalFunction } from "../../local/interpreter/integrations.js";
import { createHarness } from "../../local/interpreter/testing.js";
import { localFunctionArns, localFunctions } from "../../local/runtime/tasks.js";
import { allWorkflows, substitutePlaceholders } from "../../workflows/index.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { FINDINGS } from "../workflows/fixtures.js";
import { createWorkflowHarness, SLACK_CHANNEL } from "../workflows/harness.js";
import { MOTO_DRIVER, type MotoEngine, probeMoto, startMotoEngine } from "./moto-engine.js";

/**
 * A second Step Functions engine in CI: every category's workflow runs the same incident through
 * the local interpreter and through moto's (a port of LocalStack's), with the same task handlers,
 * and both must give the same execution history (event types and state names, in order) and the
 * same end (status, output, error). Paths: approve, reject, approval timeout, duplicate delivery
 * (whose first delivery is the plain automatic path, compared too) and a task failing.
 *
 * Time: the local side runs on a manual clock; moto runs on the wall clock, so the approval
 * timeout is the policy's own setting, `approval.timeoutSeconds: 1` (the same definition on both
 * sides: its TimeoutSeconds is read from the decision), and moto waits that one second.
 *
 * Known differences outside what is compared (values, not shapes), each checked against AWS:
 * - lambda:invoke results: moto keeps only StatusCode/ExecutedVersion/Payload (it filters the
 *   response to InvocationResponse); AWS and the local interpreter add SdkHttpMetadata and
 *   SdkResponseMetadata. The workflows read `$states.result.Payload` only.
 * - moto writes the JSON text in history events with Python's ", " and ": " separators; AWS
 *   and the local interpreter write compact JSON.
 * - A Lambda error's `trace`: the local interpreter records the stack, this driver sends [].
 */

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const probe = probeMoto();

/**
 * Detail fields one engine gives and the other does not, where AWS does not settle which is right.
 * TaskTimedOut's `cause` is optional in the API; moto 5.2.1 leaves it out for a callback that times
 * out, the local interpreter says "The task timed out (TimeoutSeconds)."
 */
const UNSETTLED_FIELDS: Readonly<Record<string, readonly string[]>> = { TaskTimedOut: ["cause"] };

/**
 * A history as the comparison sees it: each event's type, the state it names, the event it follows
 * (previousEventId) and the names of its detail fields. Values are left out: timestamps, tokens and
 * execution names differ by engine; what the handlers made of them is compared through the incident.
 */
function shape(history: HistoryEvent[]): string[] {
  return history.map((event) => {
    const [key, details] = Object.entries(event).find(([name]) => name.endsWith("EventDetails")) ?? [];
    const fields = Object.keys((details as Record<string, unknown> | undefined) ?? {})
      .filter((field) => !UNSETTLED_FIELDS[event.type]?.includes(field))
      .sort();
    const name = (details as { name?: unknown } | undefined)?.name;
    const state = key === "stateEnteredEventDetails" || key === "stateExitedEventDetails" ? ` ${String(name)}` : "";
    return `${event.type}${state} (after ${event.previousEventId}) [${fields.join(", ")}]`;
  });
}

interface End {
  status: string;
  output?: unknown;
  error?: string;
  /** A Lambda error's cause names its type and message; its trace (stack lines) differs by caller. */
  cause?: unknown;
}

function causeOf(cause: string | undefined): unknown {
  if (cause === undefined) return undefined;
  try {
    const { errorType, errorMessage } = JSON.parse(cause) as { errorType?: string; errorMessage?: string };
    return errorType === undefined ? cause : { errorType, errorMessage };
  } catch {
    return cause;
  }
}

interface Run {
  history: string[];
  end: End;
}

interface Outcome {
  /** The case's executions in order: one, or for a duplicate delivery the first and the second. */
  executions: Run[];
  /** What the handlers wrote: the incident's statuses, each with its reason. */
  transitions: string[];
}

async function transitionsOf(store: MemoryStore, incidentId: string): Promise<string[]> {
  const incident = await store.getIncident(incidentId);
  return (incident?.transitions ?? []).map((transition) => `${transition.to}: ${transition.reason ?? ""}`);
}

/**
 * The category's finding with attacker-shaped text (quotes, a backslash, a newline, a JSONata
 * delimiter) in fields every expression carries inlined on moto's side.
 */
function hostile(category: Category): Finding {
  const base = FINDINGS[category];
  return { ...base, userAgent: 'aws-cli/2.15.0 "quoted" back\\slash\nnew line {% $eval %}' };
}

const COMMENT = 'checked "twice"\\ by hand';

/** What each path must show (the local interpreter's side; moto's must then equal it). */
const MARKS: Record<Kind, { status: string; events: string[] }> = {
  approve: { status: "SUCCEEDED", events: ["TaskSubmitted", "TaskStateEntered Remediate the target"] },
  reject: { status: "SUCCEEDED", events: ["TaskSubmitted", "PassStateEntered Close as rejected"] },
  timeout: {
    status: "SUCCEEDED",
    events: ["TaskTimedOut", "PassStateEntered Approval timed out: apply the policy's default"],
  },
  duplicate: { status: "SUCCEEDED", events: ["SucceedStateEntered Duplicate delivery: nothing to do"] },
  // (the duplicate's first delivery: the automatic path, remediated in dry-run and verified)
  failure: { status: "FAILED", events: ["TaskFailed", "FailStateEntered Workflow failed"] },
};

type Kind = "approve" | "reject" | "timeout" | "duplicate" | "failure";

interface Case {
  config?: ConfigInput;
  handlers?: Partial<Record<TaskName, LocalFunction>>;
  decision?: "approve" | "reject";
  /** Deliver the finding a second time (another execution name) and compare that execution. */
  duplicate?: boolean;
}

const crashingVerify: LocalFunction = async () => {
  throw new TypeError("Cannot read properties of undefined (reading 'checks')");
};

function caseFor(category: Category, kind: Kind): Case {
  const approval: ConfigInput = { detections: { [FINDINGS[category].detection]: { mode: "approval" } } };
  switch (kind) {
    case "approve":
    case "reject":
      return { config: approval, decision: kind };
    case "timeout":
      return { config: { ...approval, approval: { timeoutSeconds: 1 } } };
    case "duplicate":
      return { duplicate: true };
    case "failure":
      return { handlers: { verify: crashingVerify } };
  }
}

function withVerifyOnce(config: ConfigInput = {}): ConfigInput {
  return { ...config, remediation: { verify: { attempts: 1 }, ...config.remediation } };
}

async function runLocal(slack: FakeSlack, finding: Finding, c: Case): Promise<Outcome> {
  const h = createWorkflowHarness({ slack, config: withVerifyOnce(c.config), handlers: c.handlers });
  const { incidentId, executionArn: first } = await h.start(finding);
  const arns = [first];
  if (c.decision) {
    await h.settle(h.clock.now());
    await decideApproval(
      { incidentId, decision: c.decision, approver: "alice@example.com", comment: COMMENT, via: "dashboard" },
      h.engine.deps,
    );
  }
  await h.settle();
  if (c.duplicate) {
    const again = await h.engine.interpreter.startExecution({
      stateMachineArn: h.engine.stateMachineArn(finding.category),
      name: "eventbridge-delivery-2",
      input: { finding },
    });
    await h.settle();
    arns.push(again.executionArn);
  }
  const executions: Run[] = [];
  for (const arn of arns) {
    const execution = await h.engine.interpreter.describeExecution(arn);
    executions.push({
      history: shape(await h.engine.interpreter.getExecutionHistory(arn)),
      end: {
        status: execution.status,
        output: execution.output,
        error: execution.error,
        cause: causeOf(execution.cause),
      },
    });
  }
  return { executions, transitions: await transitionsOf(h.store, incidentId) };
}

const WAIT_MS = 60_000;
// Above the suite's 30 s default: on a loaded 2-core machine one case (two engines, a Python
// interpreter among them) has taken 18 s; moto's own wait (WAIT_MS) fails first, with what it saw.
const CASE_TIMEOUT_MS = 90_000;

/** Poll moto until `done` holds; moto runs on its own threads and wall clock. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`moto: ${what} not reached in ${WAIT_MS} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(probe.state !== "ready")(
  `the workflows on moto's Step Functions engine${probe.state === "absent" ? ` (skipped: ${probe.reason})` : ""}`,
  () => {
    let engine: MotoEngine;
    // Each case's handlers, with its own store and config, behind the one driver.
    let functions: FunctionResolver = () => undefined;
    const definitions = new Map<Category, unknown>();
    let runs = 0;

    /**
     * moto quirk (5.2.1; getmoto/moto#10077, fixed upstream by #10093): once any execution has
     * run, every StartExecution fails ("cannot pickle '_thread.RLock' object": the parser backend
     * deep-copies the state machine, which holds the backend with the live executions). So each
     * execution starts on a reset moto, on a state machine created for it from the same definition.
     * Nothing is lost to the comparison: a case reads everything of an execution before the next
     * starts, and the duplicate delivery's "already open" lives in the handlers' store, not in moto.
     */
    async function startOnMoto(category: Category, input: unknown): Promise<string> {
      runs += 1;
      await engine.reset();
      const stateMachineArn = await engine.createStateMachine(`riposte-${category}`, definitions.get(category));
      return engine.startExecution(stateMachineArn, `execution-${runs}`, input);
    }

    beforeAll(async () => {
      process.env.AWS_ACCESS_KEY_ID = "testing";
      process.env.AWS_SECRET_ACCESS_KEY = "testing";
      engine = await startMotoEngine((name) => functions(name));
      const arns = localFunctionArns(REGION, ACCOUNT);
      for (const { category, definition } of allWorkflows()) {
        definitions.set(category, substitutePlaceholders(definition, arns));
      }
    }, 120_000);

    afterAll(async () => {
      await engine?.stop();
    });

    async function runMoto(slack: FakeSlack, finding: Finding, c: Case): Promise<Outcome> {
      const store = new MemoryStore();
      const deps: TaskDeps = {
        config: parseConfig({
          ...withVerifyOnce(c.config),
          notify: { slack: { channel: SLACK_CHANNEL, retries: 0 } },
        }),
        store,
        logger: silentLogger,
        now: () => new Date(),
        aws: { region: REGION, maxAttempts: 1 },
        mode: "dry-run",
        secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl },
        callbacks: engine.callbacks,
        ledger: new MemoryActionLedger(),
      };
      functions = localFunctions(deps, c.handlers);
      const incidentId = incidentIdFor(finding);
      const first = await startOnMoto(finding.category, { finding });
      const executions: Run[] = [];
      if (c.decision) {
        await until(
          "the approval request",
          () => engine.getExecutionHistory(first),
          (history) => history.some((event) => event.type === "TaskSubmitted"),
        );
        await decideApproval(
          { incidentId, decision: c.decision, approver: "alice@example.com", comment: COMMENT, via: "dashboard" },
          deps,
        );
      }
      const finished = (d: { status: string }) => d.status !== "RUNNING";
      const read = async (executionArn: string): Promise<Run> => {
        const described = await until(
          "the end of the execution",
          () => engine.describeExecution(executionArn),
          finished,
        );
        return {
          history: shape(await engine.getExecutionHistory(executionArn)),
          end: {
            status: described.status,
            output: described.output === undefined ? undefined : JSON.parse(described.output),
            error: described.error,
            cause: causeOf(described.cause),
          },
        };
      };
      // Read before the next start: startOnMoto resets moto.
      executions.push(await read(first));
      if (c.duplicate) {
        // The same rule delivering again: another execution, the same store (see startOnMoto).
        executions.push(await read(await startOnMoto(finding.category, { finding })));
      }
      return { executions, transitions: await transitionsOf(store, incidentId) };
    }

    it(
      "hands JSONata a string variable with quotes, a backslash and a newline, and the start time, as the local interpreter does",
      async () => {
        // The workflows' own variables are all objects; moto 5.2.1 wrote a top-level string
        // variable as '"' + value + '"' (a quote in it broke the expression) and timestamps with
        // isoformat's +00:00. The driver's encoder writes JSON text, timestamps as AWS's `…sssZ`.
        const definition = {
          QueryLanguage: "JSONata",
          StartAt: "Keep",
          States: {
            Keep: {
              Type: "Pass",
              Assign: { text: "{% $states.input.text %}", started: "{% $states.context.Execution.StartTime %}" },
              Next: "Show",
            },
            Show: { Type: "Pass", Output: { text: "{% $text %}", started: "{% $started %}" }, End: true },
          },
        };
        const input = { text: 'say "hi" \\ then\nleave {% $eval %}' };
        const local = await createHarness().run(definition, input);
        await engine.reset();
        const executionArn = await engine.startExecution(
          await engine.createStateMachine("variables", definition),
          "variables",
          input,
        );
        const moto = await until(
          "the end",
          () => engine.describeExecution(executionArn),
          (d) => d.status !== "RUNNING",
        );

        const AWS_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
        expect(local.record.output).toEqual({ text: input.text, started: expect.stringMatching(AWS_TIMESTAMP) });
        expect(moto).toMatchObject({ status: "SUCCEEDED" });
        expect(JSON.parse(moto.output ?? "null")).toEqual({
          text: input.text,
          started: expect.stringMatching(AWS_TIMESTAMP),
        });
      },
      CASE_TIMEOUT_MS,
    );

    it(
      "refuses a moto whose version or patched internals moved, naming what moved",
      () => {
        // The driver's own pin checks, against this moto doctored three ways.
        const script = [
          "import importlib.util, sys",
          "spec = importlib.util.spec_from_file_location('driver', sys.argv[1])",
          "driver = importlib.util.module_from_spec(spec); spec.loader.exec_module(driver)",
          "mods = driver._load()",
          "def drift():",
          "    try: driver.check_pins(*mods)",
          "    except driver.Drift as error: print(error)",
          "mods[0].__version__ = '5.3.0'; drift(); mods[0].__version__ = '5.2.1'",
          "real = mods[4]._invoke_lambda_function",
          "mods[4]._invoke_lambda_function = lambda parameters, region: None; drift()",
          "mods[4]._invoke_lambda_function = real",
          "del mods[1]._eval_jsonata; drift()",
        ].join("\n");
        const run = spawnSync("python3", ["-c", script, MOTO_DRIVER], { encoding: "utf8" });

        expect(run.stdout.trim().split("\n")).toEqual([
          expect.stringMatching(/^moto 5\.3\.0 is installed; this differential test pins moto 5\.2\.1/),
          expect.stringMatching(
            /lambda_eval_utils\._invoke_lambda_function takes \(parameters, region\), expected \(parameters, region, state_credentials\)$/,
          ),
          expect.stringMatching(/jsonata\._eval_jsonata \(the JSONata evaluator hook\) is gone$/),
        ]);
      },
      CASE_TIMEOUT_MS,
    );

    const KINDS: Kind[] = ["approve", "reject", "timeout", "duplicate", "failure"];

    describe.each(CATEGORIES)("the %s workflow", (category) => {
      it.each(KINDS)(
        "%s: the same history and end on both engines",
        async (kind) => {
          const c = caseFor(category, kind);
          const localSlack = await startFakeSlack();
          const motoSlack = await startFakeSlack();
          try {
            // Side by side: nothing is shared (own Slack, store, clock), and the two engines use two cores.
            const [local, moto] = await Promise.all([
              runLocal(localSlack, hostile(category), c),
              runMoto(motoSlack, hostile(category), c),
            ]);

            const last = local.executions.at(-1) as Run;
            expect(last.end.status).toBe(MARKS[kind].status);
            for (const mark of MARKS[kind].events) {
              expect(last.history.some((event) => event.startsWith(`${mark} (`))).toBe(true);
            }
            if (kind === "duplicate") {
              expect(local.executions[0]?.end).toMatchObject({ status: "SUCCEEDED", output: { status: "MITIGATED" } });
            }
            expect(moto.executions.map((run) => run.history)).toEqual(local.executions.map((run) => run.history));
            expect(moto.executions.map((run) => run.end)).toEqual(local.executions.map((run) => run.end));
            expect(moto.transitions).toEqual(local.transitions);
          } finally {
            await localSlack.close();
            await motoSlack.close();
          }
        },
        CASE_TIMEOUT_MS,
      );
    });
  },
);
