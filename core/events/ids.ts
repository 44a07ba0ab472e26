import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { EventOrigin } from "../model/event.js";

/**
 * Stable ids for records that carry none (flow log lines, WAF and ALB records): the file name and
 * the record's position when read from a file (AWS log file names are unique), otherwise a hash
 * of the record's content, so the same record posted twice gets the same id.
 */
export function stableId(kind: string, origin: EventOrigin | undefined, content: string): string {
  if (origin?.file) return `${basename(origin.file)}:${origin.position}`;
  return `${kind}-${createHash("sha256").update(kind).update("\n").update(content).digest("hex").slice(0, 32)}`;
}
