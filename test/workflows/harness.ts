import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput } from "../../core/config/schema.js";
import { silentLogger } from "../../core/log.js";
import type { AwsClientOptions } from "../../core/model/aws-client.js";
import type { Finding, RemediationMode } from "../../core/model/incident.js";
import type { HistoryEvent, Incident, TaskName } from "../../core/model/index.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import type { StoredExecution } from "../../core/store/ports.js";
import { ManualClock } from "../../local/interpreter/clock.js";
import type { LocalFunction } from "../../local/interpreter/integrations.js";
import { createLocalWorkflowEngine, type LocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import type { FakeSlack } from "../support/fake-slack.js";

/**
 * Workflows end to end on one machine, as `riposte serve` runs them: the category state machines
 * in the interpreter, the real task handlers in-process, a memory store, and Slack behind the
 * fake Slack server. Time is a manual clock, so approvals time out and retries back off without
 * anyone waiting.
 */

export const SLACK_CHANNEL = "#security";

export interface WorkflowHarnessOptions {
  slack: FakeSlack;
  config?: ConfigInput;
  mode?: RemediationMode;
  aws?: AwsClientOptions;
  handlers?: Partial<Record<TaskName, LocalFunction>>;
}

export interface WorkflowRun {
  incidentId: string;
  executionArn: string;
  incident: Incident;
  execution: StoredExecution;
  history: HistoryEvent[];
  /** The states entered, in order. */
  states: string[];
}

export interface WorkflowHarness {
  engine: LocalWorkflowEngine;
  store: MemoryStore;
  executions: MemoryExecutionStore;
  clock: ManualClock;
  /** Let everything run; fire timers due before `untilMs` (default: all of them). */
  settle(untilMs?: number): Promise<void>;
  start(finding: Finding): Promise<{ incidentId: string; executionArn: string; started: boolean }>;
  /** Where an incident's workflow stands now. */
  read(incidentId: string, executionArn: string): Promise<WorkflowRun>;
  /** Start and settle (every timer fired). */
  run(finding: Finding): Promise<WorkflowRun>;
}

export function enteredStates(history: HistoryEvent[]): string[] {
  return history
    .filter((event) => event.type.endsWith("StateEntered"))
    .map((event) => String(event.stateEnteredEventDetails?.name));
}

export function createWorkflowHarness(options: WorkflowHarnessOptions): WorkflowHarness {
  const clock = new ManualClock(new Date("2026-03-10T14:30:00.000Z"));
  const store = new MemoryStore();
  const executions = new MemoryExecutionStore();
  const config = parseConfig({
    ...options.config,
    notify: { slack: { channel: SLACK_CHANNEL, retries: 0 }, ...options.config?.notify },
  });
  const engine = createLocalWorkflowEngine({
    deps: {
      config,
      store,
      logger: silentLogger,
      now: () => new Date(clock.now()),
      aws: options.aws ?? { region: "us-east-1", maxAttempts: 1 },
      mode: options.mode ?? "dry-run",
      secrets: { slackBotToken: options.slack.token, slackApiUrl: options.slack.apiUrl },
      ledger: new MemoryActionLedger(),
    },
    executions,
    clock,
    random: () => 0.5,
    handlers: options.handlers,
  });
  const settle = async (untilMs = Number.POSITIVE_INFINITY) => {
    await engine.interpreter.idle();
    while (clock.step(untilMs)) await engine.interpreter.idle();
    if (Number.isFinite(untilMs)) clock.set(untilMs);
  };
  const read = async (incidentId: string, executionArn: string): Promise<WorkflowRun> => {
    const incident = await store.getIncident(incidentId);
    if (!incident) throw new Error(`incident ${incidentId} was not stored`);
    const history = await engine.interpreter.getExecutionHistory(executionArn);
    return {
      incidentId,
      executionArn,
      incident,
      execution: await engine.interpreter.describeExecution(executionArn),
      history,
      states: enteredStates(history),
    };
  };
  return {
    engine,
    store,
    executions,
    clock,
    settle,
    start: (finding) => engine.startFinding(finding),
    read,
    async run(finding) {
      const { incidentId, executionArn } = await engine.startFinding(finding);
      await settle();
      return read(incidentId, executionArn);
    },
  };
}
