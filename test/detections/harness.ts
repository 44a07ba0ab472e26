import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput, RiposteConfig } from "../../core/config/schema.js";
import type { CorrelationStore } from "../../core/correlation/store.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords, parseLogText } from "../../core/events/index.js";
import type { SecurityEvent } from "../../core/model/event.js";
import type { Finding } from "../../core/model/incident.js";
import { FindingSchema } from "../../core/model/incident.js";
import { MemoryCorrelationStore } from "../../core/store/memory-correlation.js";

/** Run records (any intake shape) through a fresh engine in event-time order; every finding is schema-checked. */
export async function detect(
  records: unknown[],
  options: { config?: ConfigInput | RiposteConfig; state?: CorrelationStore; finish?: boolean } = {},
): Promise<Finding[]> {
  const config = parseConfig(options.config ?? {});
  const engine = createDetectionEngine({ config, state: options.state ?? new MemoryCorrelationStore() });
  // Text lines (flow logs, ALB logs) are read as a log file; everything else as JSON records.
  const lines = records.filter((record): record is string => typeof record === "string");
  const { events, errors } = normalizeRecords(records.filter((record) => typeof record !== "string"));
  const parsed = lines.length > 0 ? parseLogText(lines.join("\n"), "fixture.log") : [];
  for (const item of parsed) {
    if ("event" in item) events.push(item.event);
    else errors.push({ index: item.error.position, error: item.error.reason });
  }
  if (errors.length > 0) throw new Error(`fixture records did not normalize: ${JSON.stringify(errors)}`);
  const ordered = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.epochMs - b.event.epochMs || a.index - b.index);
  const findings: Finding[] = [];
  for (const { event } of ordered) findings.push(...(await engine.process(event as SecurityEvent)));
  if (options.finish !== false) findings.push(...(await engine.finish()));
  for (const finding of findings) FindingSchema.parse(finding);
  return findings;
}

/** The detection ids of findings, in order. */
export const ids = (findings: Finding[]) => findings.map((finding) => finding.detection);

/** Findings of one detection. */
export const of = (findings: Finding[], detection: string) =>
  findings.filter((finding) => finding.detection === detection);
