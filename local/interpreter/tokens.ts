import { randomBytes } from "node:crypto";
import { InvalidToken, StateFailure, TaskDoesNotExist, TaskTimedOut } from "./errors.js";

/**
 * Task tokens of `.waitForTaskToken` tasks. A token is registered before its resource is
 * invoked, so a callback that arrives while the resource is still running is kept and delivered
 * once the task starts waiting. Tokens are random and opaque; they live in checkpoints, which
 * is how a waiting task survives a restart.
 */

const TOKEN = /^rpt1\.[A-Za-z0-9_-]{64}$/;
const CLOSED_MEMORY = 10_000;

type Settlement = { ok: true; output: unknown } | { ok: false; failure: StateFailure };

interface Waiter {
  settled?: Settlement;
  deliver?: (settlement: Settlement) => void;
  onHeartbeat?: () => void;
}

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();
  // Recently closed tokens, so a late callback gets TaskTimedOut rather than a bare "unknown".
  private readonly closed = new Map<string, "timed-out" | "closed">();

  issue(): string {
    return `rpt1.${randomBytes(48).toString("base64url")}`;
  }

  /** Start accepting callbacks for `token` (before the resource is invoked). */
  register(token: string): void {
    if (!this.waiting.has(token)) this.waiting.set(token, {});
  }

  /** Wait for the callback; a callback that already arrived resolves at once. */
  wait(token: string, onHeartbeat: () => void): Promise<unknown> {
    const waiter = this.waiting.get(token) ?? {};
    this.waiting.set(token, waiter);
    waiter.onHeartbeat = onHeartbeat;
    return new Promise((resolve, reject) => {
      const deliver = (settlement: Settlement) =>
        settlement.ok ? resolve(settlement.output) : reject(settlement.failure);
      if (waiter.settled) deliver(waiter.settled);
      else waiter.deliver = deliver;
    });
  }

  /** Stop accepting callbacks (the task ended: completed, timed out, or its execution stopped). */
  release(token: string, reason: "timed-out" | "closed"): void {
    this.waiting.delete(token);
    this.closed.set(token, reason);
    if (this.closed.size > CLOSED_MEMORY) {
      const oldest = this.closed.keys().next().value;
      if (oldest !== undefined) this.closed.delete(oldest);
    }
  }

  /** Forget a token without marking it closed (the interpreter is halting; a restart re-registers it). */
  detach(token: string): void {
    this.waiting.delete(token);
  }

  private waiterFor(token: string): Waiter {
    if (typeof token !== "string" || !TOKEN.test(token)) throw new InvalidToken("the task token is malformed");
    const waiter = this.waiting.get(token);
    if (waiter && !waiter.settled) return waiter;
    if (this.closed.get(token) === "timed-out") throw new TaskTimedOut("the task timed out before the callback");
    throw new TaskDoesNotExist("no task is waiting for this token");
  }

  private settle(token: string, settlement: Settlement): void {
    const waiter = this.waiterFor(token);
    waiter.settled = settlement;
    waiter.deliver?.(settlement);
  }

  succeed(token: string, output: unknown): void {
    this.settle(token, { ok: true, output });
  }

  fail(token: string, error: string, cause: string): void {
    this.settle(token, { ok: false, failure: new StateFailure(error, cause) });
  }

  heartbeat(token: string): void {
    this.waiterFor(token).onHeartbeat?.();
  }
}
