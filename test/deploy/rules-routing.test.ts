import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords, parseLogText } from "../../core/events/index.js";
import { findingFromRuleEvent } from "../../core/incidents/from-event.js";
import type { SecurityEvent } from "../../core/model/event.js";
import type { Finding } from "../../core/model/incident.js";
import { compilePattern } from "../../core/patterns/compile.js";
import { matches } from "../../core/patterns/match.js";
import { MemoryCorrelationStore } from "../../core/store/memory-correlation.js";
import { type DeployedRule, deployedRules } from "../../infra/rules.js";
import { identity } from "../fixtures/events/cloudtrail.js";
import { SCENARIOS, type Scenario } from "../fixtures/events/scenarios.js";

/**
 * The detection scenarios replayed the way a deployment sees them: only the events the deployed
 * EventBridge rules select reach anything. A stateless detection's rule starts a workflow whose
 * open task runs the detection on the one event; a stateful detection's events go to the
 * correlate function's engine (stateful detections only, deduplicating). The deployed path must
 * report exactly what the local engine reports, and stay silent when Riposte's own role acted.
 * Riposte's own log records (WAF, ALB, flow logs) are selected by no rule (anyone with
 * events:PutEvents could forge them): they are posted to the API intake, whose engine runs every
 * detection over the same correlation state (functions/correlate.ts).
 */

function eventsOf(records: unknown[]): SecurityEvent[] {
  const lines = records.filter((record): record is string => typeof record === "string");
  const { events, errors } = normalizeRecords(records.filter((record) => typeof record !== "string"));
  for (const item of lines.length > 0 ? parseLogText(lines.join("\n"), "fixture.log") : []) {
    if ("event" in item) events.push(item.event);
  }
  if (errors.length > 0) throw new Error(`fixture records did not normalize: ${JSON.stringify(errors)}`);
  return events.sort((a, b) => a.epochMs - b.epochMs);
}

function selects(rule: DeployedRule, event: SecurityEvent): boolean {
  return matches(compilePattern(JSON.parse(rule.pattern)), event.envelope);
}

/** What the deployment reports for a scenario: stateless rule deliveries, then correlation. */
async function deployedFindings(scenario: Scenario, records: unknown[]): Promise<Finding[]> {
  const config = parseConfig(scenario.config ?? {});
  const rules = deployedRules(config);
  const events = eventsOf(records);
  const findings: Finding[] = [];
  for (const rule of rules.filter((candidate) => candidate.target.kind === "workflow")) {
    for (const event of events.filter((candidate) => selects(rule, candidate))) {
      try {
        findings.push(findingFromRuleEvent(rule.detection, event.envelope, config));
      } catch (error) {
        if ((error as Error).name !== "NoFinding") throw error;
      }
    }
  }
  const stateful = rules.filter((rule) => rule.target.kind === "correlate");
  const state = new MemoryCorrelationStore();
  const engine = createDetectionEngine({
    config,
    state,
    detections: stateful.flatMap((rule) => rule.detections),
    dedupe: true,
  });
  const intake = createDetectionEngine({ config, state, dedupe: true });
  // One delivery per matching rule, as EventBridge sends them; the engine processes each event once.
  for (const event of events) {
    if (!event.envelope.source.startsWith("aws.")) findings.push(...(await intake.process(event)));
    for (const rule of stateful) if (selects(rule, event)) findings.push(...(await engine.process(event)));
  }
  findings.push(...(await engine.finish()), ...(await intake.finish()));
  return findings;
}

function asRiposte(record: unknown): unknown {
  if (typeof record !== "object" || record === null || !("userIdentity" in record)) return record;
  return { ...(record as Record<string, unknown>), userIdentity: identity.riposte() };
}

const named = (list: Scenario[]) => list.map((scenario) => [scenario.detection, scenario.name, scenario] as const);

describe("detection scenarios through the deployed rules", () => {
  it.each(named(SCENARIOS))("%s: %s", async (detection, _name, scenario) => {
    const findings = await deployedFindings(scenario, scenario.records);

    expect(findings.some((finding) => finding.detection === detection)).toBe(scenario.fires);
  });

  it.each(named(SCENARIOS.filter((scenario) => scenario.fires && scenario.loopPreventable !== false)))(
    "%s: no rule delivers Riposte's own change: %s",
    async (detection, _name, scenario) => {
      const config = parseConfig(scenario.config ?? {});
      const rule = deployedRules(config).find((candidate) => candidate.detections.includes(detection));
      const events = eventsOf(scenario.records.map(asRiposte));

      const findings = await deployedFindings(scenario, scenario.records.map(asRiposte));

      expect(findings.filter((finding) => finding.detection === detection)).toEqual([]);
      if (rule && rule.target.kind === "workflow") {
        expect(events.filter((event) => selects(rule, event) && "userIdentity" in event.envelope.detail)).toEqual([]);
      }
    },
  );
});
