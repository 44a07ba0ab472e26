import type { CliIo } from "./command.js";
import { main } from "./main.js";

/**
 * A promise that resolves on SIGINT/SIGTERM. Created on first use, so commands that never ask
 * for it (scan, rules…) keep Node's default: Ctrl-C stops them at once.
 */
function lazyStopSignal(): () => Promise<string> {
  let signal: Promise<string> | undefined;
  return () => {
    signal ??= new Promise<string>((resolve) => {
      for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => resolve(name));
    });
    return signal;
  };
}

/**
 * A reader that stops early (`riposte rules list | head`) closes the pipe: stop quietly, as Unix
 * tools do, instead of an unhandled EPIPE with a stack trace.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Run the CLI as a process: wire stdio and signals, set the exit code. */
export async function runCli(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe(process.stdout);
  const stopSignal = lazyStopSignal();
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    get stopSignal() {
      return stopSignal();
    },
  };
  try {
    process.exitCode = await main(argv, io);
  } catch (error) {
    process.stderr.write(`riposte: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  }
}
