import { SEVERITIES, type Severity, severityRank } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import type { ScanSummary } from "./scan.js";

/**
 * Findings as text for a terminal. Every value in a finding can come from a log record (user
 * agents, group names, principals): before it reaches a terminal, control characters (escape
 * sequences, carriage returns), bidirectional overrides and line separators are replaced, so a
 * record cannot rewrite the screen or hide text.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: neutralising control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on a terminal, on one line. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, "\uFFFD");
}

/** One finding as the JSON object `scan --format jsonl` prints. */
export function findingJson(finding: Finding): Record<string, unknown> {
  return {
    detection: finding.detection,
    category: finding.category,
    severity: finding.severity,
    time: finding.time,
    eventIds: finding.eventIds,
    account: finding.account,
    region: finding.region,
    principal: finding.principal,
    resource: finding.resource,
    summary: finding.summary,
  };
}

const COLUMNS = [
  { title: "TIME", width: 20 },
  { title: "SEVERITY", width: 8 },
  { title: "DETECTION", width: 31 },
  { title: "ACCOUNT", width: 12 },
  { title: "REGION", width: 14 },
  { title: "RESOURCE", width: 24 },
  { title: "SUMMARY", width: 0 },
] as const;

function cell(text: string, width: number): string {
  const safe = terminalSafe(text);
  if (width === 0) return safe.length > 160 ? `${safe.slice(0, 159)}…` : safe;
  return safe.length > width ? `${safe.slice(0, width - 1)}…` : safe.padEnd(width);
}

export function tableHeader(): string {
  return COLUMNS.map((column) => cell(column.title, column.width))
    .join("  ")
    .trimEnd();
}

export function tableRow(finding: Finding): string {
  const values = [
    finding.time.replace(/\.\d+Z$/, "Z"),
    finding.severity,
    finding.detection,
    finding.account,
    finding.region,
    finding.resource,
    finding.summary,
  ];
  return values
    .map((value, index) => cell(value, COLUMNS[index]!.width))
    .join("  ")
    .trimEnd();
}

/** The closing summary: what was read, what could not be, findings by severity and detection. */
export function summaryText(summary: ScanSummary): string {
  const lines: string[] = [""];
  const span = summary.firstEvent ? ` (${summary.firstEvent} to ${summary.lastEvent})` : "";
  lines.push(`Read ${summary.events} events from ${summary.files} file${summary.files === 1 ? "" : "s"}${span}.`);
  if (summary.unreadableRecords + summary.unreadableFiles > 0) {
    lines.push(
      `Unreadable: ${summary.unreadableRecords} record${summary.unreadableRecords === 1 ? "" : "s"}, ${summary.unreadableFiles} file${summary.unreadableFiles === 1 ? "" : "s"} (details on stderr).`,
    );
  }
  if (summary.lateEvents > 0) {
    lines.push(
      `Late: ${summary.lateEvents} event${summary.lateEvents === 1 ? "" : "s"} processed out of event-time order (details on stderr).`,
    );
  }
  if (summary.findings === 0) {
    lines.push("No findings.");
    return lines.join("\n");
  }
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((severity) => summary.bySeverity[severity])
    .map((severity) => `${severity} ${summary.bySeverity[severity]}`);
  lines.push(`${summary.findings} finding${summary.findings === 1 ? "" : "s"}: ${bySeverity.join(", ")}.`);
  lines.push("", "By detection:");
  const rows = Object.entries(summary.byDetection).sort(
    ([a, x], [b, y]) => severityRank(y.severity) - severityRank(x.severity) || y.count - x.count || a.localeCompare(b),
  );
  const width = Math.max(...rows.map(([id]) => id.length));
  for (const [id, entry] of rows) lines.push(`  ${id.padEnd(width)}  ${entry.severity.padEnd(8)}  ${entry.count}`);
  return lines.join("\n");
}

/** Whether a severity is at or above a threshold. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}
