/**
 * Structured JSON logs, one object per line on stderr (stdout belongs to command output such as
 * `scan --format jsonl`). Fields are data: messages are fixed strings, never built from event text.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` (incident id, execution id…) to every line. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const RESERVED = new Set(["time", "level", "msg"]);

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function serialiseError(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function createLogger(options: { level?: LogLevel; fields?: LogFields; sink?: LogSink } = {}): Logger {
  const level = options.level ?? "info";
  const base = options.fields ?? {};
  const sink: LogSink = options.sink ?? ((line) => process.stderr.write(`${line}\n`));
  const write = (at: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (rank[at] < rank[level]) return;
    const record: LogFields = { time: new Date().toISOString(), level: at, msg: message };
    for (const [key, value] of [...Object.entries(base), ...Object.entries(fields ?? {})]) {
      // A field never replaces the line's own time, level or message (filters rely on them).
      record[RESERVED.has(key) ? `field_${key}` : key] = serialiseError(value);
    }
    sink(JSON.stringify(record));
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ level, fields: { ...base, ...fields }, sink }),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger({ level: "silent" });
