/**
 * Many small writes to a stream as few: `riposte scan` prints a line per finding, and on Linux a
 * write to a file or a pipe is a system call each (Node writes them synchronously). Text is joined
 * and written when it passes `limit` characters, at the next turn of the event loop (so a reader
 * of the pipe sees findings as they come, a turn late at most), or on `flush()` — which the command
 * calls before it writes anything else (a trailer, the progress bar) and before it returns.
 */
export class CoalescedOutput {
  private parts: string[] = [];
  private length = 0;
  private scheduled = false;

  constructor(
    private readonly stream: Pick<NodeJS.WritableStream, "write">,
    private readonly limit = 64 * 1024,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length >= this.limit) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes whatever is pending, in the order it was given. */
  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    this.parts = [];
    this.length = 0;
    this.stream.write(text);
  }
}
