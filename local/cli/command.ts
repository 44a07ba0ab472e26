import type { ParseArgsConfig } from "node:util";

/** Where a command reads and writes; injected so tests run commands in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal?: Promise<string>;
}

export type ParsedArgs = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

export interface Command {
  name: string;
  /** One line for the command list in `riposte --help`. */
  summary: string;
  /** Full usage text for `riposte <command> --help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** `early`: what `CommandEntry.begin` began for this run, if anything. */
  run(args: ParsedArgs, io: CliIo, early?: EarlyWork): Promise<number>;
}

/** Work a command began before its code loaded (`CommandEntry.begin`), handed to its `run`. */
export interface EarlyWork {
  /** Stops what is left of it: called once the command returns, or when it does not run. */
  cancel(): Promise<void>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, inputError: 1, usage: 2, findings: 3 } as const;

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
