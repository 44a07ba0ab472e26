import { incidentIdFor } from "../../core/incidents/id.js";
import { CATEGORIES, type Category } from "../../core/model/catalog.js";
import type { Finding } from "../../core/model/incident.js";
import type { TaskName } from "../../core/model/tasks.js";
import type { ExecutionStore, TaskCallbacks, WorkflowStarter } from "../../core/store/ports.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { allWorkflows, stateMachineName, substitutePlaceholders } from "../../workflows/index.js";
import type { Clock } from "../interpreter/clock.js";
import { ExecutionAlreadyExists, StateMachineDoesNotExist } from "../interpreter/errors.js";
import type { LocalFunction } from "../interpreter/integrations.js";
import { Interpreter } from "../interpreter/interpreter.js";
import { localFunctionArns, localFunctions } from "./tasks.js";

/**
 * The workflows on one machine: the interpreter with the five category state machines (the
 * same ASL the stacks deploy, local function ARNs substituted), the task handlers in-process,
 * and the interpreter as their TaskCallbacks and as the WorkflowStarter the intake uses.
 */

export interface LocalWorkflowEngineOptions {
  /** The handlers' deps; `callbacks` is the interpreter itself. */
  deps: Omit<TaskDeps, "callbacks">;
  executions: ExecutionStore;
  clock?: Clock;
  /** A test aid: Wait states last this fraction of their time (`interpreter/wait-scale.ts`). */
  waitScale?: number;
  random?: () => number;
  region?: string;
  account?: string;
  /** Replace some task functions (tests inject faults where a Lambda would fail). */
  handlers?: Partial<Record<TaskName, LocalFunction>>;
}

export interface LocalWorkflowEngine {
  interpreter: Interpreter;
  /** Starts a category's workflow; a name already used starts nothing (`started: false`). */
  starter: WorkflowStarter;
  callbacks: TaskCallbacks;
  /** The deps the handlers run with (callbacks bound to the interpreter). */
  deps: TaskDeps;
  stateMachineArn(category: Category): string;
  /** Start the workflow for a finding, named after its incident id. */
  startFinding(finding: Finding): Promise<{ incidentId: string; executionArn: string; started: boolean }>;
  /** Continue executions left running by a previous process (call once at start-up). */
  resume(): Promise<number>;
  /**
   * Stop at the next step; what runs is checkpointed and resumes after a restart. A running task
   * is let finish for at most `graceMs` (30 s by default).
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export function createLocalWorkflowEngine(options: LocalWorkflowEngineOptions): LocalWorkflowEngine {
  const region = options.region ?? options.deps.aws.region ?? "us-east-1";
  const account = options.account ?? "000000000000";
  let resolve: ReturnType<typeof localFunctions> = () => undefined;
  const interpreter = new Interpreter({
    executions: options.executions,
    functions: (name) => resolve(name),
    clock: options.clock,
    waitScale: options.waitScale,
    random: options.random,
    logger: options.deps.logger,
    region,
    account,
  });
  const deps: TaskDeps = { ...options.deps, callbacks: interpreter };
  resolve = localFunctions(deps, options.handlers);

  const arns = localFunctionArns(region, account);
  const machines = new Map<Category, string>();
  for (const { category, name, definition } of allWorkflows()) {
    machines.set(
      category,
      interpreter.createStateMachine(name, substitutePlaceholders(definition, arns)).stateMachineArn,
    );
  }
  const stateMachineArn = (category: Category) => {
    const arn = machines.get(category);
    if (!arn) {
      throw new StateMachineDoesNotExist(`no workflow for category ${category}; categories: ${CATEGORIES.join(", ")}`);
    }
    return arn;
  };

  const starter: WorkflowStarter = {
    async start(category, name, input) {
      try {
        const started = await interpreter.startExecution({
          stateMachineArn: stateMachineArn(category),
          name,
          input,
          incidentId: name,
        });
        return { executionArn: started.executionArn, started: started.started };
      } catch (error) {
        // A name is an incident id: any execution that already has it handles that incident.
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        return { executionArn: interpreter.executionArn(stateMachineName(category), name), started: false };
      }
    },
  };

  return {
    interpreter,
    starter,
    callbacks: interpreter,
    deps,
    stateMachineArn,
    async startFinding(finding) {
      const incidentId = incidentIdFor(finding);
      const { executionArn, started } = await starter.start(finding.category, incidentId, { finding });
      return { incidentId, executionArn, started };
    },
    resume: () => interpreter.resume(),
    close: (closeOptions) => interpreter.close(closeOptions),
  };
}
