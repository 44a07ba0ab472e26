import { resolve } from "node:path";
import { defaultConfig } from "../../../core/config/defaults.js";
import { atLeast, findingJson, summaryText, tableHeader, tableRow, terminalSafe } from "../../../core/engine/report.js";
import {
  DEFAULT_READERS,
  MAX_READERS,
  PARALLEL_MIN_BYTES,
  type ScanProgress,
  scanFiles,
} from "../../../core/engine/scan.js";
import { ScanStart } from "../../../core/engine/scan-start.js";
import { DEFAULT_LATENESS_MS, DEFAULT_MAX_BUFFERED } from "../../../core/events/index.js";
import { UnexportableFinding } from "../../../core/export/errors.js";
import { ASFF_BATCH_LIMIT, OCSF_VERSION } from "../../../core/export/facts.js";
import { type ExportPlace, isAccountId, isRegionName } from "../../../core/export/resources.js";
import { createLogger } from "../../../core/log.js";
import { SEVERITIES, type Severity } from "../../../core/model/catalog.js";
import type { Finding } from "../../../core/model/incident.js";
import { CoalescedOutput } from "../coalesced-output.js";
import { type CliIo, type Command, EXIT, UsageError } from "../command.js";
import { loadCliRules } from "../rules-dir.js";
import { VERSION } from "../version.js";
import { readersOption, SCAN_OPTIONS } from "./scan-begin.js";

const usage = `Usage: riposte scan [options] <file|dir>...

Run every detection over exported logs, in event-time order: CloudTrail log files (.json,
.json.gz, AWSLogs/ directories), JSON Lines of CloudTrail records, EventBridge events, GuardDuty
findings, AWS Config compliance changes, VPC Flow Logs, WAF logs and ALB access logs.

Options:
  --format FORMAT     table (default): findings and a summary; jsonl: one JSON object per finding;
                      asff: one JSON array of AWS Security Finding Format findings for Security
                      Hub (BatchImportFindings takes at most ${ASFF_BATCH_LIMIT} per call, all of the calling
                      account and region: split the array by ProductArn, ${ASFF_BATCH_LIMIT} at a time);
                      ocsf: one OCSF ${OCSF_VERSION} Detection Finding (class 2004) per line
  --account ID        for asff and ocsf: the account of findings whose logs name none (ALB logs)
  --region REGION     for asff and ocsf: the region of such findings
  --fail-on SEVERITY  exit 3 when a finding of this severity or higher exists
                      (info, low, medium, high, critical)
  --config FILE       configuration file (thresholds, trusted CIDRs, detections on/off)
  --rules PATH        your own rules: a directory of rule files (YAML or JSON) or one file,
                      run beside the built-in detections (default: the configuration's rules.dir)
  --readers N         threads that read, decompress and match files beside the detections'
                      thread, 0 to ${MAX_READERS} (default: ${DEFAULT_READERS} when the input is ${PARALLEL_MIN_BYTES / 1048576} MB or more and the
                      machine has more than one core, else 0); the findings are the same
  -h, --help          show this help

Unreadable files and records are reported on stderr (file:position: reason) and counted; the
scan goes on. Symbolic links are followed (a loop is reported once); a file reached twice is read
once. FIFOs, devices and sockets are reported and never opened; an empty or truncated .gz is
unreadable. Events that arrive more than ${DEFAULT_LATENESS_MS / 60_000} min behind newer ones are processed out of
event-time order and counted in one warning on stderr. A finding that cannot be written as a
valid ASFF or OCSF finding (e.g. no account or region) is reported on stderr with every problem.
A rule file that cannot be loaded is reported on stderr (file: field: problem) and the scan runs
the other rules; it counts as unreadable input.
Exit status: 0 all input read, 1 some input unreadable, some rule file not loaded or some finding
not exportable, 2 usage error, 3 findings at or above --fail-on (this takes precedence over 1).
`;

const FORMATS = ["table", "jsonl", "asff", "ocsf"] as const;

function option<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${String(value)}")`);
}

/** `--account` and `--region`, checked: they become ASFF attributes with fixed shapes. */
function exportPlace(values: Record<string, unknown>): ExportPlace {
  const place: ExportPlace = {};
  if (values.account !== undefined) {
    if (typeof values.account !== "string" || !isAccountId(values.account)) {
      throw new UsageError(`--account must be a 12-digit AWS account id (got "${String(values.account)}")`);
    }
    place.account = values.account;
  }
  if (values.region !== undefined) {
    if (typeof values.region !== "string" || !isRegionName(values.region)) {
      throw new UsageError(`--region must be an AWS region name such as us-east-1 (got "${String(values.region)}")`);
    }
    place.region = values.region;
  }
  return place;
}

/** The one warning about events that came too late to be put in event-time order. */
function lateEventsWarning(count: number): string {
  const events = count === 1 ? "1 event" : `${count} events`;
  return (
    `riposte scan: ${events} arrived later than the ordering window allows (${DEFAULT_LATENESS_MS / 60_000} min behind ` +
    `the newest event read, or past ${DEFAULT_MAX_BUFFERED.toLocaleString("en-US")} buffered events) and ${count === 1 ? "was" : "were"} processed out of ` +
    "event-time order; stateful detections may miss or mis-order them. Scan such inputs separately " +
    "(e.g. one account, region or log source at a time).\n"
  );
}

/** A one-line progress bar on stderr, redrawn at most five times a second, only on a terminal. */
function progressBar(io: CliIo, out: CoalescedOutput) {
  const enabled = io.stderr.isTTY === true;
  const started = Date.now();
  let drawn = false;
  let last = 0;
  return {
    update(progress: ScanProgress) {
      const now = Date.now();
      if (!enabled || now - last < 200 || now - started < 500) return;
      last = now;
      // Findings not yet written come before the bar (it is drawn on the terminal they go to).
      out.flush();
      const ratio = progress.totalBytes > 0 ? Math.min(1, progress.bytesRead / progress.totalBytes) : 0;
      const width = 30;
      const filled = Math.round(ratio * width);
      const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
      io.stderr.write(
        `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(ratio * 100)}%  ${mb(progress.bytesRead)}/${mb(progress.totalBytes)} MB  ${progress.events} events  ${progress.findings} findings\u001b[K`,
      );
      drawn = true;
    },
    clear() {
      if (drawn) io.stderr.write("\r\u001b[K");
      drawn = false;
    },
  };
}

export const scanCommand: Command = {
  name: "scan",
  summary: "triage exported logs offline",
  usage,
  options: SCAN_OPTIONS,
  async run({ values, positionals }, io, early) {
    if (positionals.length === 0) throw new UsageError("missing the files or directories to scan");
    const format = option("format", values.format, FORMATS) ?? "table";
    const failOn: Severity | undefined = option("fail-on", values["fail-on"], SEVERITIES);
    const place = exportPlace(values);
    const readers = readersOption(values.readers);
    // The exporters (and the remediation catalog they describe) load only for their formats.
    const [{ toValidAsff }, { toValidOcsf }] =
      format === "asff" || format === "ocsf"
        ? await Promise.all([import("../../../core/export/asff.js"), import("../../../core/export/ocsf.js")])
        : [{ toValidAsff: undefined }, { toValidOcsf: undefined }];
    // The schema's validator loads only to check a configuration file.
    const config =
      typeof values.config === "string"
        ? (await import("../../../core/config/load.js")).loadConfig(resolve(io.cwd, values.config))
        : defaultConfig();
    const own = await loadCliRules("scan", values.rules, config, io);
    const paths = positionals.map((path) => resolve(io.cwd, path));
    // Errors name the paths as the user typed them.
    const shown = new Map(paths.map((path, index) => [path, positionals[index]!]));
    const display = (file: string) => {
      for (const [absolute, typed] of shown) {
        if (file === absolute) return typed;
        if (file.startsWith(`${absolute}/`)) return `${typed.replace(/\/$/, "")}${file.slice(absolute.length)}`;
      }
      return file;
    };

    // Findings are written a turn of the event loop at a time, not a system call each.
    const out = new CoalescedOutput(io.stdout);
    const bar = progressBar(io, out);
    // A reader that goes away (`scan … | head`) ends the scan quietly, as with any Unix filter.
    // Other output errors (a full disk) stop it too, and are reported. The listener stays: writes
    // still buffered may fail after the scan returns.
    const stop = new AbortController();
    let outputError: NodeJS.ErrnoException | undefined;
    io.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") outputError ??= error;
      stop.abort();
    });
    let failing = false;
    let headerPrinted = false;
    let exported = 0;
    let unexportable = 0;
    /** One finding in an export format; a finding the format cannot carry is reported, not printed. */
    const exportFinding = (finding: Finding) => {
      try {
        if (format === "ocsf") {
          out.write(`${JSON.stringify(toValidOcsf!(finding, { config, productVersion: VERSION, place }))}\n`);
          return;
        }
        // One array, written as findings come: "[" before the first, "," between them.
        const asff = JSON.stringify(toValidAsff!(finding, config, place));
        out.write(`${exported === 0 ? "[\n" : ",\n"}${asff}`);
        exported++;
      } catch (error) {
        if (!(error instanceof UnexportableFinding)) throw error;
        unexportable++;
        out.flush();
        io.stderr.write(`riposte scan: ${terminalSafe(error.message)}\n`);
      }
    };
    const scanned = scanFiles({
      paths,
      config,
      rules: own.rules.map((loaded) => loaded.rule),
      readers,
      start: early instanceof ScanStart ? early : undefined,
      logger: createLogger({ level: "error", sink: (line) => io.stderr.write(`${line}\n`) }),
      signal: stop.signal,
      onFinding(finding) {
        if (failOn && atLeast(finding.severity, failOn)) failing = true;
        if (stop.signal.aborted) return;
        bar.clear();
        if (format === "jsonl") {
          out.write(`${JSON.stringify(findingJson(finding))}\n`);
          return;
        }
        if (format === "asff" || format === "ocsf") {
          exportFinding(finding);
          return;
        }
        if (!headerPrinted) {
          out.write(`${tableHeader()}\n`);
          headerPrinted = true;
        }
        out.write(`${tableRow(finding)}\n`);
      },
      onError(error) {
        out.flush();
        bar.clear();
        io.stderr.write(
          `riposte scan: ${terminalSafe(display(error.file))}:${error.position}: ${terminalSafe(error.reason)}\n`,
        );
      },
      onProgress: (progress) => bar.update(progress),
    });
    let summary: Awaited<typeof scanned>;
    try {
      summary = await scanned;
    } finally {
      out.flush();
    }
    bar.clear();
    if (outputError) {
      io.stderr.write(`riposte scan: cannot write the output: ${terminalSafe(outputError.message)}\n`);
      return EXIT.inputError;
    }
    if (stop.signal.aborted) return failing ? EXIT.findings : EXIT.ok;
    if (format === "asff") io.stdout.write(exported === 0 ? "[]\n" : "\n]\n");
    if (format === "table") io.stdout.write(`${summaryText(summary)}\n`);
    else if (summary.unreadableFiles + summary.unreadableRecords > 0) {
      io.stderr.write(
        `riposte scan: ${summary.unreadableRecords} unreadable records, ${summary.unreadableFiles} unreadable files\n`,
      );
    }
    if (summary.lateEvents > 0) io.stderr.write(lateEventsWarning(summary.lateEvents));
    if (unexportable > 0) {
      io.stderr.write(
        `riposte scan: ${unexportable} finding${unexportable === 1 ? "" : "s"} could not be exported as ${format.toUpperCase()}\n`,
      );
    }
    if (failing) return EXIT.findings;
    if (own.problems.length > 0) {
      io.stderr.write(
        `riposte scan: ${own.problems.length} problem${own.problems.length === 1 ? "" : "s"} in the rules; the rules that loaded ran\n`,
      );
    }
    return summary.unreadableFiles + summary.unreadableRecords + unexportable + own.problems.length > 0
      ? EXIT.inputError
      : EXIT.ok;
  },
};
