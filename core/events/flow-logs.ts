import type { EventEnvelope } from "../model/event.js";
import { withOrigin } from "./findings.js";
import { stableId } from "./ids.js";
import { isoTime } from "./time.js";
import type { Normalized, RecordContext } from "./types.js";
import type { LogFileFacts } from "./web-logs.js";

/**
 * VPC Flow Logs, version 2 default format (or any custom format announced by a header line):
 *
 *   version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
 *
 * Envelope: source `riposte.vpcflow`, detail-type "VPC Flow Log Record", detail keyed by the
 * format's own field names (`interface-id`, `srcaddr`, `dstport`…), numbers as numbers and
 * "-" as null. NODATA/SKIPDATA lines carry no flow and are skipped.
 */

export const FLOW_SOURCE = "riposte.vpcflow";
export const FLOW_DETAIL_TYPE = "VPC Flow Log Record";

export const DEFAULT_FLOW_FIELDS = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
] as const;

const NUMERIC = new Set(["version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end"]);
const KNOWN = new Set<string>([
  ...DEFAULT_FLOW_FIELDS,
  "vpc-id",
  "subnet-id",
  "instance-id",
  "region",
  "flow-direction",
]);

/** A header line: field names such as `version account-id interface-id …`. */
export function parseFlowHeader(line: string): string[] | undefined {
  const names = line.trim().split(/\s+/);
  if (names.length < 3 || !names.every((name) => /^[a-z][a-z0-9-]*$/.test(name))) return undefined;
  return names.some((name) => KNOWN.has(name)) ? names : undefined;
}

/** Whether a line looks like a default-format v2 flow record. */
export function looksLikeFlowLine(line: string): boolean {
  return /^2 \S+ eni-\S+ /.test(line) || /^\d+ \d{12} \S+ \S+ \S+ \S+ \S+ \d+ /.test(line);
}

/** Flow record → event; undefined for lines that carry no flow (NODATA, SKIPDATA). */
export function fromFlowLine(
  line: string,
  fields: readonly string[],
  context: RecordContext,
  file: LogFileFacts,
): Normalized | undefined {
  const values = line.trim().split(/\s+/);
  if (values.length !== fields.length) {
    return { error: `flow log record has ${values.length} fields, the format has ${fields.length}` };
  }
  const detail: Record<string, unknown> = {};
  fields.forEach((name, index) => {
    const value = values[index]!;
    if (value === "-") detail[name] = null;
    else if (NUMERIC.has(name)) {
      const number = Number(value);
      detail[name] = Number.isNaN(number) ? value : number;
    } else detail[name] = value;
  });
  const status = detail["log-status"];
  if (status === "NODATA" || status === "SKIPDATA") return undefined;
  const start = detail.start;
  if (typeof start !== "number") return { error: "flow log record has no valid start time" };
  const epochMs = start * 1000;
  const time = isoTime(epochMs);
  const id = stableId("vpcflow", context.positional ? context.origin : undefined, line);
  const envelope: EventEnvelope = {
    version: "0",
    id,
    "detail-type": FLOW_DETAIL_TYPE,
    source: FLOW_SOURCE,
    account: typeof detail["account-id"] === "string" ? detail["account-id"] : file.account,
    time,
    region: typeof detail.region === "string" ? detail.region : file.region,
    resources: [],
    detail,
  };
  return { event: withOrigin({ kind: "vpcflow", id, time, epochMs, envelope, raw: line }, context) };
}
