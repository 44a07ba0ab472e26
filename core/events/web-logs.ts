import type { EventEnvelope } from "../model/event.js";
import { withOrigin } from "./findings.js";
import { stableId } from "./ids.js";
import { isoTime, parseEventTime } from "./time.js";
import type { Normalized, RecordContext } from "./types.js";

/**
 * AWS WAF logs (JSON lines) and Application Load Balancer access logs (text lines). Neither is
 * delivered through EventBridge, so their envelopes use Riposte's own sources:
 *
 *   WAF: source `riposte.waf`, detail-type "WAF Log Record", detail = the WAF record as written.
 *   ALB: source `riposte.alb`, detail-type "ALB Access Log Record", detail = the fields named as
 *        in the AWS documentation (`client_ip`, `elb_status_code`, `user_agent`…).
 *
 * Ids are stable: file name and line, or a hash of the record when it did not come from a file.
 */

export const WAF_SOURCE = "riposte.waf";
export const WAF_DETAIL_TYPE = "WAF Log Record";
export const ALB_SOURCE = "riposte.alb";
export const ALB_DETAIL_TYPE = "ALB Access Log Record";

const text = (value: unknown): string => (typeof value === "string" ? value : "");

export function isWafLogRecord(value: Record<string, unknown>): boolean {
  const request = value.httpRequest as Record<string, unknown> | undefined;
  return typeof value.webaclId === "string" && typeof request?.clientIp === "string" && "timestamp" in value;
}

/** Account and region from a web ACL ARN (`arn:aws:wafv2:<region>:<account>:…`). */
function arnParts(arn: string): { region: string; account: string } {
  const parts = arn.split(":");
  return { region: parts[3] ?? "", account: parts[4] ?? "" };
}

export function fromWafRecord(record: Record<string, unknown>, context: RecordContext, line?: string): Normalized {
  const epochMs = parseEventTime(record.timestamp);
  if (epochMs === undefined) return { error: "WAF log record has no valid timestamp" };
  const time = isoTime(epochMs);
  const id = stableId("waf", context.positional ? context.origin : undefined, line ?? JSON.stringify(record));
  const { region, account } = arnParts(text(record.webaclId));
  const envelope: EventEnvelope = {
    version: "0",
    id,
    "detail-type": WAF_DETAIL_TYPE,
    source: WAF_SOURCE,
    account,
    time,
    region,
    resources: [text(record.webaclId)].filter(Boolean),
    detail: record,
  };
  return { event: withOrigin({ kind: "waf", id, time, epochMs, envelope, raw: record }, context) };
}

/** The ALB access log fields, in the order AWS writes them. */
const ALB_FIELDS = [
  "type",
  "time",
  "elb",
  "client:port",
  "target:port",
  "request_processing_time",
  "target_processing_time",
  "response_processing_time",
  "elb_status_code",
  "target_status_code",
  "received_bytes",
  "sent_bytes",
  "request",
  "user_agent",
  "ssl_cipher",
  "ssl_protocol",
  "target_group_arn",
  "trace_id",
  "domain_name",
  "chosen_cert_arn",
  "matched_rule_priority",
  "request_creation_time",
  "actions_executed",
  "redirect_url",
  "error_reason",
  "target:port_list",
  "target_status_code_list",
  "classification",
  "classification_reason",
  "conn_trace_id",
] as const;

const ALB_TYPES = new Set(["http", "https", "h2", "grpcs", "ws", "wss"]);
const NUMERIC_FIELDS = new Set([
  "request_processing_time",
  "target_processing_time",
  "response_processing_time",
  "elb_status_code",
  "target_status_code",
  "received_bytes",
  "sent_bytes",
]);

/** Split an ALB log line into fields: space-separated, double-quoted fields may hold spaces and `\"`. */
export function splitAlbLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) {
          value += line[i + 1];
          i += 2;
        } else {
          value += line[i];
          i++;
        }
      }
      fields.push(value);
      i++;
    } else {
      const end = line.indexOf(" ", i);
      fields.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end;
    }
  }
  return fields;
}

/** Whether a text line looks like an ALB access log entry. */
export function looksLikeAlbLine(line: string): boolean {
  const space = line.indexOf(" ");
  return space > 0 && ALB_TYPES.has(line.slice(0, space)) && /^\S+ \d{4}-\d{2}-\d{2}T/.test(line);
}

function hostAndPort(value: string): { ip: string; port: number | undefined } {
  if (value === "-" || value === "") return { ip: "", port: undefined };
  const colon = value.lastIndexOf(":");
  if (colon < 0) return { ip: value, port: undefined };
  const port = Number.parseInt(value.slice(colon + 1), 10);
  return { ip: value.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number.isNaN(port) ? undefined : port };
}

export interface LogFileFacts {
  account: string;
  region: string;
}

export function fromAlbLine(line: string, context: RecordContext, file: LogFileFacts): Normalized {
  const values = splitAlbLine(line);
  if (values.length < 13 || !ALB_TYPES.has(values[0]!)) return { error: "not an ALB access log entry" };
  const epochMs = parseEventTime(values[1]);
  if (epochMs === undefined) return { error: "ALB access log entry has no valid time" };
  const detail: Record<string, unknown> = {};
  ALB_FIELDS.forEach((name, index) => {
    const value = values[index];
    if (value === undefined) return;
    if (name === "client:port" || name === "target:port") {
      const prefix = name === "client:port" ? "client" : "target";
      const { ip, port } = hostAndPort(value);
      detail[`${prefix}_ip`] = ip;
      detail[`${prefix}_port`] = port ?? null;
      return;
    }
    if (NUMERIC_FIELDS.has(name)) {
      const number = Number(value);
      detail[name] = value === "-" || Number.isNaN(number) ? null : number;
      return;
    }
    detail[name] = value;
  });
  const request = typeof detail.request === "string" ? detail.request.split(" ") : [];
  detail.request_method = request[0] ?? "";
  detail.request_url = request[1] ?? "";
  const time = isoTime(epochMs);
  const id = stableId("alb", context.positional ? context.origin : undefined, line);
  const envelope: EventEnvelope = {
    version: "0",
    id,
    "detail-type": ALB_DETAIL_TYPE,
    source: ALB_SOURCE,
    account: file.account,
    time,
    region: file.region,
    resources: [],
    detail,
  };
  return { event: withOrigin({ kind: "alb", id, time, epochMs, envelope, raw: line }, context) };
}
