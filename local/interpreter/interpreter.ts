import { randomUUID } from "node:crypto";
import { type Logger, silentLogger } from "../../core/log.js";
import type { HistoryEvent } from "../../core/model/history.js";
import type { ExecutionStore, StoredExecution, TaskCallbacks } from "../../core/store/ports.js";
import { CHECKPOINT_VERSION, type Checkpoint, type FrameData, isCheckpoint } from "./checkpoint.js";
import { type Clock, systemClock } from "./clock.js";
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InterpreterClosed,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  STATES_ERRORS,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
} from "./errors.js";
import { ExecutionRunner } from "./execution.js";
import { jsonField } from "./history.js";
import type { FunctionResolver } from "./integrations.js";
import { loadDefinition } from "./load.js";
import type { CompiledMachine } from "./model.js";
import { Activity, type Services } from "./run.js";
import { PAYLOAD_LIMIT_BYTES } from "./scope.js";
import { TaskTokens } from "./tokens.js";

/**
 * The local stand-in for AWS Step Functions: state machines are ASL (JSONata) definitions,
 * executions run in-process, and every execution, its checkpoint and its history are kept in an
 * ExecutionStore, so a restart (`resume()`) continues what was running — an approval waiting for
 * its callback keeps waiting, and the callback still completes it. The API mirrors the service's
 * (StartExecution's idempotency on names, SendTaskSuccess/Failure/Heartbeat, GetExecutionHistory).
 */

export interface InterpreterOptions {
  executions: ExecutionStore;
  /** Resolves a Lambda FunctionName (or function ARN) to the in-process function. */
  functions: FunctionResolver;
  clock?: Clock;
  /** A test aid: Wait states last this fraction of their time (`wait-scale.ts`); 1 by default. */
  waitScale?: number;
  /** Source of randomness for retry jitter and `$random()`; injectable for tests. */
  random?: () => number;
  logger?: Logger;
  region?: string;
  account?: string;
}

export interface StartExecutionRequest {
  stateMachineArn: string;
  /** Execution name (1–80 characters); defaults to a random UUID. */
  name?: string;
  input?: unknown;
  /** Recorded on the stored execution, for finding an incident's execution. */
  incidentId?: string;
}

export interface StartExecutionResult {
  executionArn: string;
  startDate: string;
  /** False when a running execution with this name and input already existed (idempotent start). */
  started: boolean;
}

interface Registered {
  name: string;
  arn: string;
  machine: CompiledMachine;
}

// Step Functions' name rule: 1–80 characters, no whitespace, brackets, wildcards or punctuation
// that would break an ARN, and no control characters.
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

export class Interpreter implements TaskCallbacks {
  private readonly services: Services;
  private readonly store: ExecutionStore;
  private readonly region: string;
  private readonly account: string;
  private readonly machines = new Map<string, Registered>();
  private readonly running = new Map<string, ExecutionRunner>();
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly closeWaiters = new Map<string, ((record: StoredExecution) => void)[]>();
  private closed = false;

  constructor(options: InterpreterOptions) {
    this.store = options.executions;
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? "000000000000";
    this.services = {
      clock: options.clock ?? systemClock,
      waitScale: options.waitScale ?? 1,
      random: options.random ?? Math.random,
      functions: options.functions,
      tokens: new TaskTokens(),
      logger: options.logger ?? silentLogger,
      activity: new Activity(),
      region: this.region,
    };
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
  }

  executionArn(stateMachineName: string, name: string): string {
    return `arn:aws:states:${this.region}:${this.account}:execution:${stateMachineName}:${name}`;
  }

  /** Load and register a definition; throws `InvalidDefinition` naming every problem. */
  createStateMachine(name: string, definition: unknown): { stateMachineArn: string } {
    if (!name || name.length > 80 || INVALID_NAME.test(name))
      throw new InvalidName(`invalid state machine name "${name}"`);
    const arn = this.stateMachineArn(name);
    if (this.machines.has(arn)) throw new StateMachineAlreadyExists(`state machine ${name} already exists`);
    const machine = loadDefinition(definition, { now: () => this.services.clock.now(), random: this.services.random });
    this.machines.set(arn, { name, arn, machine });
    return { stateMachineArn: arn };
  }

  describeStateMachine(stateMachineArn: string): { stateMachineArn: string; name: string; definition: unknown } {
    const registered = this.machine(stateMachineArn);
    return { stateMachineArn, name: registered.name, definition: registered.machine.definition };
  }

  private machine(arn: string): Registered {
    const registered = this.machines.get(arn);
    if (!registered) throw new StateMachineDoesNotExist(`state machine ${arn} does not exist`);
    return registered;
  }

  async startExecution(request: StartExecutionRequest): Promise<StartExecutionResult> {
    if (this.closed) throw new InterpreterClosed("the interpreter is closed");
    const registered = this.machine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (name.length === 0 || name.length > 80 || INVALID_NAME.test(name)) {
      throw new InvalidName(`invalid execution name "${name}"`);
    }
    const inputText = JSON.stringify(request.input ?? {});
    if (Buffer.byteLength(inputText, "utf8") > PAYLOAD_LIMIT_BYTES) {
      throw new InvalidExecutionInput("the execution input exceeds the 256 KiB payload quota");
    }
    const executionArn = this.executionArn(registered.name, name);
    // Starts of one name are serialised, so two concurrent duplicates cannot both start.
    const previous = this.starting.get(executionArn) ?? Promise.resolve();
    const attempt = previous
      .catch(() => {})
      .then(() => this.startOnce(registered, executionArn, name, inputText, request.incidentId));
    this.starting.set(executionArn, attempt);
    try {
      return await attempt;
    } finally {
      if (this.starting.get(executionArn) === attempt) this.starting.delete(executionArn);
    }
  }

  private async startOnce(
    registered: Registered,
    executionArn: string,
    name: string,
    inputText: string,
    incidentId: string | undefined,
  ): Promise<StartExecutionResult> {
    const existing = await this.store.getExecution(executionArn);
    if (existing) {
      if (existing.status === "RUNNING" && JSON.stringify(existing.input) === inputText) {
        return { executionArn, startDate: existing.startDate, started: false };
      }
      throw new ExecutionAlreadyExists(`execution ${name} already exists`);
    }
    const now = this.services.clock.now();
    const input = JSON.parse(inputText) as unknown;
    const record: StoredExecution = {
      executionArn,
      name,
      stateMachineArn: registered.arn,
      status: "RUNNING",
      startDate: new Date(now).toISOString(),
      input,
      incidentId,
    };
    const timeout = registered.machine.timeoutSeconds;
    const checkpoint: Checkpoint = {
      version: CHECKPOINT_VERSION,
      definitionHash: registered.machine.hash,
      nextEventId: 1,
      deadline: timeout === undefined ? undefined : now + timeout * 1000,
      root: { state: registered.machine.startAt, input, vars: {}, lastEventId: 0 },
    };
    const runner = this.runner(registered, record, checkpoint);
    // As Step Functions records it: ExecutionStartedEventDetails has no stateMachineArn, and the
    // first state's entry links to no event (previousEventId 0), so root.lastEventId stays 0.
    runner.history.add("ExecutionStarted", 0, {
      ...jsonField("input", input),
      roleArn: this.roleArn(registered.name),
    });
    await runner.flush();
    this.launch(runner, executionArn);
    return { executionArn, startDate: record.startDate, started: true };
  }

  private roleArn(stateMachineName: string): string {
    return `arn:aws:iam::${this.account}:role/${stateMachineName}-local`;
  }

  private runner(registered: Registered, record: StoredExecution, checkpoint: Checkpoint): ExecutionRunner {
    return new ExecutionRunner(
      this.services,
      {
        arn: record.executionArn,
        name: record.name,
        input: record.input,
        startTime: record.startDate,
        roleArn: this.roleArn(registered.name),
        stateMachineArn: registered.arn,
        stateMachineName: registered.name,
      },
      registered.machine,
      this.store,
      record,
      checkpoint,
    );
  }

  private launch(runner: ExecutionRunner, executionArn: string): void {
    this.running.set(executionArn, runner);
    void runner.run().then(
      (record) => this.settled(executionArn, record),
      (error: unknown) => this.services.logger.error("execution runner failed", { executionArn, error }),
    );
  }

  private settled(executionArn: string, record: StoredExecution): void {
    this.running.delete(executionArn);
    if (record.status === "RUNNING") return; // halted: resumes after a restart
    for (const resolve of this.closeWaiters.get(executionArn) ?? []) resolve(record);
    this.closeWaiters.delete(executionArn);
  }

  async describeExecution(executionArn: string): Promise<StoredExecution> {
    const record = await this.store.getExecution(executionArn);
    if (!record) throw new ExecutionDoesNotExist(`execution ${executionArn} does not exist`);
    return record;
  }

  async getExecutionHistory(executionArn: string): Promise<HistoryEvent[]> {
    await this.describeExecution(executionArn);
    return this.store.getHistory(executionArn);
  }

  /** Resolves with the execution's record once it has ended (at once if it already has). */
  async waitForExecution(executionArn: string): Promise<StoredExecution> {
    // Listen before reading, so an end between the two is not missed; stop listening if it was read.
    let resolveClosed: (record: StoredExecution) => void = () => {};
    const closed = new Promise<StoredExecution>((resolve) => (resolveClosed = resolve));
    const waiters = this.closeWaiters.get(executionArn) ?? [];
    waiters.push(resolveClosed);
    this.closeWaiters.set(executionArn, waiters);
    try {
      const record = await this.describeExecution(executionArn);
      if (record.status === "RUNNING") return await closed;
      return record;
    } finally {
      const left = (this.closeWaiters.get(executionArn) ?? []).filter((waiter) => waiter !== resolveClosed);
      if (left.length > 0) this.closeWaiters.set(executionArn, left);
      else this.closeWaiters.delete(executionArn);
    }
  }

  /** StopExecution: the execution ends ABORTED with the given error and cause. */
  async stopExecution(executionArn: string, reason: { error?: string; cause?: string } = {}): Promise<void> {
    const runner = this.running.get(executionArn);
    if (!runner) {
      await this.describeExecution(executionArn);
      return;
    }
    runner.cancellation.cancel({ kind: "abort", error: reason.error ?? "", cause: reason.cause ?? "" });
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    const text = JSON.stringify(output ?? null);
    if (Buffer.byteLength(text, "utf8") > PAYLOAD_LIMIT_BYTES) throw new InvalidOutput("the output exceeds 256 KiB");
    this.services.tokens.succeed(taskToken, JSON.parse(text));
  }

  async sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void> {
    this.services.tokens.fail(taskToken, error ?? "", cause ?? "");
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.services.tokens.heartbeat(taskToken);
  }

  /**
   * Resolves once the execution has written the callback sent for `taskToken` to its checkpoint
   * (a restart continues with it); rejects with TaskDoesNotExist when it never will: no callback
   * was accepted, or the task ended or the interpreter halted first.
   */
  callbackTaken(taskToken: string): Promise<void> {
    return this.services.tokens.whenTaken(taskToken);
  }

  /**
   * Continue every RUNNING execution of a registered state machine from its checkpoint (call once
   * at start-up). An execution whose checkpoint cannot be used ends FAILED with States.Runtime.
   * Returns how many were resumed.
   */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const record of await this.store.listExecutions({ status: "RUNNING" })) {
      if (this.running.has(record.executionArn)) continue;
      const registered = this.machines.get(record.stateMachineArn);
      if (!registered) continue; // another configuration's machine: leave it alone
      const checkpoint = record.checkpoint;
      if (!isCheckpoint(checkpoint)) {
        await this.abandon(record, "the execution has no usable checkpoint");
        continue;
      }
      if (checkpoint.definitionHash !== registered.machine.hash) {
        this.services.logger.warn("resuming an execution under a changed definition", {
          executionArn: record.executionArn,
        });
      }
      this.registerTokens(checkpoint.root);
      this.launch(this.runner(registered, record, checkpoint), record.executionArn);
      resumed++;
    }
    return resumed;
  }

  // Callbacks may arrive as soon as resume() returns, before each runner reaches its wait.
  // A task that already took its callback accepts no other.
  private registerTokens(frame: FrameData): void {
    const step = frame.step;
    if (step?.task?.token && !step.task.callback) this.services.tokens.register(step.task.token);
  }

  private async abandon(record: StoredExecution, cause: string): Promise<void> {
    const stopDate = new Date(this.services.clock.now()).toISOString();
    const history = await this.store.getHistory(record.executionArn);
    const last = history.at(-1)?.id ?? 0;
    await this.store.putExecution({
      ...record,
      status: "FAILED",
      stopDate,
      error: STATES_ERRORS.runtime,
      cause,
      checkpoint: undefined,
    });
    await this.store.appendHistory(record.executionArn, [
      {
        id: last + 1,
        previousEventId: last,
        timestamp: stopDate,
        type: "ExecutionFailed",
        executionFailedEventDetails: { error: STATES_ERRORS.runtime, cause },
      },
    ]);
  }

  /** Resolves when no execution is computing: each has ended or waits on a timer or a callback. */
  idle(): Promise<void> {
    return this.services.activity.idle();
  }

  /**
   * Shut down: take no new executions, stop every running one at its next step (checkpointed,
   * still RUNNING) and wait until all of them are durable. A task already running is let finish
   * (its work is not repeated), for at most `graceMs`; an execution still busy then keeps its
   * last checkpoint, and its task runs again after the restart. `resume()` on a new interpreter
   * continues them all.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.closed = true;
    const runners = [...this.running.values()];
    for (const runner of runners) runner.cancellation.cancel({ kind: "halt" });
    await Promise.all([...this.starting.values()].map((start) => start.catch(() => {})));
    await Promise.all(runners.map((runner) => runner.flush().catch(() => {})));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), options.graceMs ?? 30_000);
    });
    const outcome = await Promise.race([this.whenHalted().then(() => "halted" as const), grace]);
    clearTimeout(timer);
    if (outcome === "late") {
      const late = [...this.running.entries()];
      this.services.logger.warn("shutting down with tasks still running; they run again after a restart", {
        executions: late.map(([arn]) => arn),
      });
      await Promise.all(late.map(([, runner]) => runner.abandon()));
      for (const [arn] of late) this.running.delete(arn);
    }
  }

  private async whenHalted(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
