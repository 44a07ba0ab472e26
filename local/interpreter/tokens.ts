import { randomBytes } from "node:crypto";
import type { CallbackOutcome } from "./checkpoint.js";
import { InvalidToken, TaskDoesNotExist, TaskTimedOut } from "./errors.js";

/**
 * Task tokens of `.waitForTaskToken` tasks. A token is registered before its resource is
 * invoked, so a callback that arrives while the resource is still running is kept and delivered
 * once the task starts waiting. Tokens are random and opaque; they live in checkpoints, which
 * is how a waiting task survives a restart. A delivered callback is "taken" once the task has
 * written it to its checkpoint: from then on a restart continues with it (`taken`).
 */

const TOKEN = /^rpt1\.[A-Za-z0-9_-]{64}$/;
const CLOSED_MEMORY = 10_000;

interface Waiter {
  settled?: CallbackOutcome;
  deliver?: (outcome: CallbackOutcome) => void;
  onHeartbeat?: () => void;
}

/** A callback's hand-off: resolved once the task durably took it, rejected if it never will. */
interface Handoff {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function handoff(): Handoff {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // nobody may ask; an unasked rejection is not an error
  return { promise, resolve, reject };
}

/** Keep at most CLOSED_MEMORY entries, dropping the oldest. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.set(key, value);
  if (map.size > CLOSED_MEMORY) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();
  // Recently closed tokens, so a late callback gets TaskTimedOut rather than a bare "unknown".
  private readonly closed = new Map<string, "timed-out" | "closed">();
  private readonly handoffs = new Map<string, Handoff>();

  issue(): string {
    return `rpt1.${randomBytes(48).toString("base64url")}`;
  }

  /** Start accepting callbacks for `token` (before the resource is invoked). */
  register(token: string): void {
    if (!this.waiting.has(token)) this.waiting.set(token, {});
  }

  /** Wait for the callback; a callback that already arrived resolves at once. */
  wait(token: string, onHeartbeat: () => void): Promise<CallbackOutcome> {
    const waiter = this.waiting.get(token) ?? {};
    this.waiting.set(token, waiter);
    waiter.onHeartbeat = onHeartbeat;
    return new Promise((resolve) => {
      if (waiter.settled) resolve(waiter.settled);
      else waiter.deliver = resolve;
    });
  }

  /** The task wrote the callback for `token` to its checkpoint: whoever sent it may rely on it. */
  taken(token: string): void {
    this.handoffs.get(token)?.resolve();
  }

  /**
   * Resolves once the callback sent for `token` was taken durably; rejects with TaskDoesNotExist
   * when no callback was accepted for it or the task ended (or the interpreter halted) first.
   */
  whenTaken(token: string): Promise<void> {
    return (
      this.handoffs.get(token)?.promise ?? Promise.reject(new TaskDoesNotExist("no callback was sent for this token"))
    );
  }

  /** Stop accepting callbacks (the task ended: completed, timed out, or its execution stopped). */
  release(token: string, reason: "timed-out" | "closed"): void {
    this.waiting.delete(token);
    remember(this.closed, token, reason);
    this.handoffs.get(token)?.reject(new TaskDoesNotExist("the task ended before it took the callback"));
  }

  /** Forget a token without marking it closed (the interpreter is halting; a restart re-registers it). */
  detach(token: string): void {
    this.waiting.delete(token);
    this.handoffs.get(token)?.reject(new TaskDoesNotExist("the interpreter halted before the task took the callback"));
    this.handoffs.delete(token);
  }

  private waiterFor(token: string): Waiter {
    if (typeof token !== "string" || !TOKEN.test(token)) throw new InvalidToken("the task token is malformed");
    const waiter = this.waiting.get(token);
    if (waiter && !waiter.settled) return waiter;
    if (this.closed.get(token) === "timed-out") throw new TaskTimedOut("the task timed out before the callback");
    throw new TaskDoesNotExist("no task is waiting for this token");
  }

  private settle(token: string, outcome: CallbackOutcome): void {
    const waiter = this.waiterFor(token);
    waiter.settled = outcome;
    remember(this.handoffs, token, handoff());
    waiter.deliver?.(outcome);
  }

  succeed(token: string, output: unknown): void {
    this.settle(token, { output });
  }

  fail(token: string, error: string, cause: string): void {
    this.settle(token, { error, cause });
  }

  heartbeat(token: string): void {
    this.waiterFor(token).onHeartbeat?.();
  }
}
