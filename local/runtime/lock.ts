/**
 * A first-come, first-served async lock. The detection loop holds it for a whole batch (its
 * transaction spans the engine's awaits); every other writer of the detection database takes it
 * too, so no write ever lands inside someone else's open transaction.
 */
export class AsyncLock {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** Run `work` alone; the lock is released however it ends. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    this.holders++;
    return previous.then(async () => {
      try {
        return await work();
      } finally {
        this.holders--;
        release();
      }
    });
  }

  /** Whether anyone holds or waits for the lock. */
  get busy(): boolean {
    return this.holders > 0;
  }
}
