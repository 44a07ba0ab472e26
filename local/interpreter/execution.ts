import type { ExecutionStatus } from "../../core/model/history.js";
import type { ExecutionStore, StoredExecution } from "../../core/store/ports.js";
import type { Checkpoint, FrameData } from "./checkpoint.js";
import { STATES_ERRORS } from "./errors.js";
import { HistoryLog, jsonField } from "./history.js";
import type { CompiledMachine } from "./model.js";
import { Cancellation, Cancelled, type ExecutionFacts, type Run, type Services } from "./run.js";
import { runFrame } from "./runner.js";
import { PAYLOAD_LIMIT_BYTES } from "./scope.js";

/**
 * One execution in progress: runs the machine's root frame, writes the checkpoint and history
 * through the ExecutionStore (coalesced per event-loop turn, in order), and records how it
 * ended. Halting (shutdown) leaves it RUNNING with its checkpoint, ready to resume.
 */

type Ending = { status: Exclude<ExecutionStatus, "RUNNING">; type: string; details: Record<string, unknown> };

export class ExecutionRunner implements Run {
  readonly history: HistoryLog;
  readonly cancellation = new Cancellation();
  private persisting: Promise<void> = Promise.resolve();
  private scheduled = false;
  private closing = false;
  // Set when shutdown stopped waiting for this execution: nothing it does later is written.
  private abandoned = false;

  constructor(
    readonly services: Services,
    readonly execution: ExecutionFacts,
    private readonly machine: CompiledMachine,
    private readonly store: ExecutionStore,
    private record: StoredExecution,
    private readonly checkpoint: Checkpoint,
  ) {
    this.history = new HistoryLog(checkpoint.nextEventId, () => services.clock.now());
  }

  get root(): FrameData {
    return this.checkpoint.root;
  }

  touch(): void {
    if (this.scheduled || this.closing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closing) void this.flush();
    });
  }

  flush(): Promise<void> {
    if (this.abandoned) return this.persisting;
    const write = this.persisting.then(() => this.persist());
    // A failed write is logged; the next one retries with the then-current state.
    this.persisting = write.catch((error: unknown) =>
      this.services.logger.error("execution checkpoint failed", { executionArn: this.record.executionArn, error }),
    );
    return write;
  }

  async checkpointNow(): Promise<boolean> {
    if (this.abandoned) return false;
    try {
      await this.flush();
      return true;
    } catch {
      return false; // logged by flush
    }
  }

  private async persist(): Promise<void> {
    const { activity } = this.services;
    activity.enter();
    try {
      const events = this.history.drain();
      this.checkpoint.nextEventId = this.history.nextEventId;
      const checkpoint = this.record.status === "RUNNING" ? structuredClone(this.checkpoint) : undefined;
      if (this.store.saveProgress) {
        // One transaction: the checkpoint and its history commit together.
        await this.store.saveProgress({ ...this.record, checkpoint }, events);
        return;
      }
      // Checkpoint before history: after a crash between the two, ids may skip but never repeat.
      await this.store.putExecution({ ...this.record, checkpoint });
      if (events.length > 0) await this.store.appendHistory(this.record.executionArn, events);
    } finally {
      activity.leave();
    }
  }

  private end(ending: Ending): Promise<void> {
    this.closing = true;
    this.history.add(ending.type, this.root.lastEventId, ending.details);
    const stopDate = new Date(this.services.clock.now()).toISOString();
    const details = ending.details as { output?: string; error?: string; cause?: string };
    this.record = {
      ...this.record,
      status: ending.status,
      stopDate,
      output: details.output === undefined ? undefined : JSON.parse(details.output),
      error: details.error,
      cause: details.cause,
      checkpoint: undefined,
    };
    return this.flush();
  }

  private succeeded(output: unknown): Ending {
    const size = Buffer.byteLength(JSON.stringify(output ?? null), "utf8");
    if (size > PAYLOAD_LIMIT_BYTES) {
      return this.failed(STATES_ERRORS.dataLimitExceeded, `The execution output is ${size} bytes, over the quota.`);
    }
    return { status: "SUCCEEDED", type: "ExecutionSucceeded", details: jsonField("output", output) };
  }

  private failed(error: string, cause: string): Ending {
    return { status: "FAILED", type: "ExecutionFailed", details: { error, cause } };
  }

  private cancelledEnding(error: Cancelled): Ending | undefined {
    const reason = error.reason;
    if (reason.kind === "abort") {
      return { status: "ABORTED", type: "ExecutionAborted", details: { error: reason.error, cause: reason.cause } };
    }
    if (reason.kind === "timeout") {
      return {
        status: "TIMED_OUT",
        type: "ExecutionTimedOut",
        details: {
          error: STATES_ERRORS.timeout,
          cause: "The execution ran longer than the state machine's TimeoutSeconds.",
        },
      };
    }
    return undefined;
  }

  /** Run to the end (or to a halt); resolves with the stored record once it is durable. */
  async run(): Promise<StoredExecution> {
    const { clock, logger } = this.services;
    const stopDeadline =
      this.checkpoint.deadline === undefined
        ? () => {}
        : clock.setTimer(this.checkpoint.deadline, () => this.cancellation.cancel({ kind: "timeout" }));
    try {
      let ending: Ending | undefined;
      try {
        const outcome = await runFrame(this, this.machine, this.root, { vars: this.root.vars }, this.cancellation);
        ending = outcome.ok ? this.succeeded(outcome.output) : this.failed(outcome.error, outcome.cause);
      } catch (error) {
        if (error instanceof Cancelled) ending = this.cancelledEnding(error);
        else {
          logger.error("execution crashed", { executionArn: this.record.executionArn, error });
          ending = this.failed(STATES_ERRORS.runtime, error instanceof Error ? error.message : String(error));
        }
      }
      if (ending) await this.end(ending);
      else {
        // Halted: this last write is the checkpoint a restart resumes from; nothing may follow it.
        this.closing = true;
        await this.flush();
      }
      return this.record;
    } finally {
      stopDeadline();
      this.cancellation.dispose();
    }
  }

  /**
   * Stop writing for good: the last checkpoint written stands, and a restart resumes from it (a
   * task still running now runs again then). For shutdown, when a task does not finish in time.
   */
  async abandon(): Promise<void> {
    this.closing = true;
    await this.persisting;
    this.abandoned = true;
  }

  get status(): ExecutionStatus {
    return this.record.status;
  }
}
