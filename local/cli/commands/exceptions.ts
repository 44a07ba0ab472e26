import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../../../core/config/load.js";
import { listAllExceptions } from "../../../core/exceptions/list.js";
import { describeScope, type ExceptionRecord } from "../../../core/model/exception.js";
import { stripControl } from "../../../core/notify/mrkdwn.js";
import { databaseFileIn } from "../../../core/store/sqlite/database.js";
import { SqliteStore } from "../../../core/store/sqlite/store.js";
import { type Command, EXIT, UsageError } from "../command.js";

const usage = `Usage: riposte exceptions list [--format table|json] [--active] [--data-dir DIR] [--config FILE]

List the time-boxed exceptions: those created from Slack or the dashboard (read from the local
store in the data directory, also while \`riposte serve\` runs) and those the configuration
declares, the latest expiry first. --active lists only those holding now. --format json prints
them as a JSON array, for export.

Options:
  --format FORMAT   table (default) or json
  --active          only the exceptions holding now
  --data-dir DIR    where the SQLite files live (default ./.riposte)
  --config FILE     configuration file (its declared exceptions and exceptions.maxDays)
  -h, --help        show this help
`;

/** One line per exception: control characters (attacker text reaches scopes and reasons) are dropped, newlines become spaces. */
function tableOf(exceptions: ExceptionRecord[], now: Date): string {
  const clean = (text: string, max: number) => {
    const flat = stripControl(text).replace(/\n+/g, " ");
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };
  const rows = exceptions.map((exception) => [
    exception.id,
    Date.parse(exception.expiresAt) > now.getTime() ? "holds" : "expired",
    exception.expiresAt,
    exception.detection,
    clean(describeScope(exception.scope), 60),
    clean(exception.owner, 30),
    exception.source,
    clean(exception.reason, 60),
  ]);
  const header = ["ID", "STATE", "EXPIRES", "DETECTION", "SCOPE", "OWNER", "SOURCE", "REASON"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export const exceptionsCommand: Command = {
  name: "exceptions",
  summary: "list time-boxed exceptions (exceptions list [--format json])",
  usage,
  options: {
    format: { type: "string" },
    active: { type: "boolean" },
    "data-dir": { type: "string" },
    config: { type: "string" },
  },
  async run({ values, positionals }, io) {
    const [sub, ...extra] = positionals;
    if (sub !== "list") throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json")
      throw new UsageError(`--format must be table or json, not "${format}"`);
    const config = loadConfig(typeof values.config === "string" ? resolve(io.cwd, values.config) : undefined);
    const dataDir = resolve(io.cwd, typeof values["data-dir"] === "string" ? values["data-dir"] : "./.riposte");
    const now = new Date();
    const filter = values.active === true ? { activeAt: now.toISOString() } : {};
    // No database yet: nothing was created, only the configuration's exceptions exist (none is made here).
    const file = databaseFileIn(dataDir);
    const store = existsSync(file) ? new SqliteStore({ file }) : undefined;
    try {
      const exceptions = await listAllExceptions(store ?? { listExceptions: async () => [] }, config, filter);
      io.stdout.write(format === "json" ? `${JSON.stringify(exceptions, null, 2)}\n` : tableOf(exceptions, now));
    } finally {
      store?.close();
    }
    return EXIT.ok;
  },
};
