import type { Logger } from "../../core/log.js";
import type { Clock } from "./clock.js";
import type { HistoryLog } from "./history.js";
import type { FunctionResolver } from "./integrations.js";
import type { TaskTokens } from "./tokens.js";

/**
 * What the state runners share: services (clock, functions, tokens), the execution they belong
 * to, and cancellation. A frame stops at its next await when cancelled: `halt` (the interpreter
 * is shutting down: the checkpoint keeps the frame where it is), `abort` and `timeout` (the
 * execution ends), `sibling` (another branch or iteration failed).
 */

export type CancelReason =
  | { kind: "halt" }
  | { kind: "abort"; error: string; cause: string }
  | { kind: "timeout" }
  | { kind: "sibling" };

export class Cancelled extends Error {
  override readonly name = "Cancelled";
  constructor(readonly reason: CancelReason) {
    super(`cancelled: ${reason.kind}`);
  }
}

export class Cancellation {
  reason?: CancelReason;
  private readonly listeners = new Set<(reason: CancelReason) => void>();
  private readonly detachFromParent?: () => void;

  constructor(parent?: Cancellation) {
    this.detachFromParent = parent?.onCancel((reason) => this.cancel(reason));
  }

  cancel(reason: CancelReason): void {
    if (this.reason) return;
    this.reason = reason;
    for (const listener of [...this.listeners]) listener(reason);
  }

  /** Calls `listener` on cancellation (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: (reason: CancelReason) => void): () => void {
    if (this.reason) {
      listener(this.reason);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  throwIfCancelled(): void {
    if (this.reason) throw new Cancelled(this.reason);
  }

  dispose(): void {
    this.detachFromParent?.();
    this.listeners.clear();
  }
}

/** Counts runners that are computing (not waiting on a timer or a callback), for `idle()`. */
export class Activity {
  private busy = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.busy++;
  }

  leave(): void {
    this.busy--;
    if (this.busy === 0 && this.waiters.length > 0) this.check();
  }

  private check(): void {
    // Let microtasks and I/O callbacks settle: a runner that just finished may start another.
    setImmediate(() => {
      if (this.busy !== 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.busy === 0) this.check();
    });
  }
}

export interface Services {
  clock: Clock;
  /** Wait states last this fraction of their time: 1, or less under RIPOSTE_TEST_WAIT_SCALE (`wait-scale.ts`). */
  waitScale: number;
  random: () => number;
  functions: FunctionResolver;
  tokens: TaskTokens;
  logger: Logger;
  activity: Activity;
  region: string;
}

/** The execution facts the context object exposes. */
export interface ExecutionFacts {
  arn: string;
  name: string;
  input: unknown;
  startTime: string;
  roleArn: string;
  stateMachineArn: string;
  stateMachineName: string;
}

export interface Run {
  services: Services;
  execution: ExecutionFacts;
  history: HistoryLog;
  /** Schedule a checkpoint (coalesced). */
  touch(): void;
  /** Persist the checkpoint and pending history now. */
  flush(): Promise<void>;
  /** Persist now and say whether it was written (false: the write failed, or shutdown gave up on the execution). */
  checkpointNow(): Promise<boolean>;
}

/** Wait until `atMs` on the run's clock; a waiting runner does not count as busy. */
export async function sleepUntil(run: Run, atMs: number, cancel: Cancellation): Promise<void> {
  cancel.throwIfCancelled();
  const { clock, activity } = run.services;
  if (atMs <= clock.now()) return;
  activity.leave();
  try {
    await new Promise<void>((resolve, reject) => {
      const stopTimer = clock.setTimer(atMs, () => {
        stopListening();
        resolve();
      });
      const stopListening = cancel.onCancel((reason) => {
        stopTimer();
        reject(new Cancelled(reason));
      });
    });
  } finally {
    activity.enter();
  }
}
