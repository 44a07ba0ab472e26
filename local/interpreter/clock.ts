/**
 * Time for the interpreter, injected so Wait states, retries and timeouts can be driven by a
 * test without sleeping. Deadlines are absolute epoch milliseconds, which is also what the
 * checkpoint stores: a restarted server keeps the original deadline.
 */
export interface Clock {
  now(): number;
  /** Call `callback` once at (or after) `atMs`; returns a function that cancels it. */
  setTimer(atMs: number, callback: () => void): () => void;
}

// setTimeout holds a signed 32-bit delay; longer waits (approvals can last a year) are chained.
const MAX_TIMER_MS = 2_147_483_647;

/** The real clock. Timers are unref'd: a pending wait never keeps the process alive by itself. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(atMs, callback) {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = () => {
      const delay = Math.max(0, atMs - Date.now());
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (Date.now() < atMs) arm();
          else callback();
        },
        Math.min(delay, MAX_TIMER_MS),
      );
      handle.unref();
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock that only moves when told to (tests). Timers fire in deadline order. */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, callback: () => void): () => void {
    const timer = { at: atMs, seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** The earliest pending deadline, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.reduce<number | undefined>(
      (min, t) => (min === undefined || t.at < min ? t.at : min),
      undefined,
    );
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Move to the earliest deadline not after `limitMs` and fire the timers due then; returns
   * false when none is due. Callers await the interpreter between steps, so a fired timer's
   * follow-up (a retry scheduling the next one) is seen by the next step.
   */
  step(limitMs: number): boolean {
    const due = this.nextTimerAt();
    if (due === undefined || due > limitMs) return false;
    this.current = Math.max(this.current, due);
    const firing = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const timer of firing) timer.callback();
    return true;
  }

  /** Set the time without firing anything (timers due are fired by the next `step`). */
  set(ms: number): void {
    this.current = Math.max(this.current, ms);
  }
}
