import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { CATALOG } from "../core/detections/catalog.js";
import type { DetectionEngine } from "../core/engine/engine.js";
import { createDetectionEngine } from "../core/engine/engine.js";
import { normalizeRecords } from "../core/events/index.js";
import { incidentIdFor } from "../core/incidents/id.js";
import { silentLogger } from "../core/log.js";
import type { SecurityEvent } from "../core/model/event.js";
import type { Finding } from "../core/model/incident.js";
import { compilePattern } from "../core/patterns/compile.js";
import { matches } from "../core/patterns/match.js";
import { MemoryCorrelationStore } from "../core/store/memory-correlation.js";
import { correlatedDetections, deployedRules } from "../infra/rules.js";
import { authorizeIngress } from "../test/fixtures/events/cloudtrail.js";
import { FINDINGS } from "../test/workflows/fixtures.js";
import { type CorrelateDeps, createCorrelateHandler } from "./correlate.js";

const envelope = (id: string, time: string) => ({
  version: "0",
  id: `eb-${id}`,
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.ec2",
  account: "123456789012",
  time,
  region: "eu-west-1",
  resources: [],
  detail: {
    eventVersion: "1.08",
    eventID: id,
    eventTime: time,
    eventSource: "ec2.amazonaws.com",
    eventName: "AuthorizeSecurityGroupIngress",
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.7",
    recipientAccountId: "123456789012",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/alice" },
  },
});

function fakeEngine(name: string, seen: string[], findingsFor: (event: SecurityEvent) => Finding[] = () => []) {
  return {
    async process(event: SecurityEvent) {
      seen.push(`${name}:${event.id}`);
      if (event.id === "explodes") throw new Error("DynamoDB unavailable");
      return findingsFor(event);
    },
  } as unknown as DetectionEngine;
}

function setup(options: { findingsFor?: (event: SecurityEvent) => Finding[]; startFails?: boolean } = {}) {
  const seen: string[] = [];
  const started: string[] = [];
  const requeued: Finding[] = [];
  const deps: CorrelateDeps = {
    ruleEngine: fakeEngine("rule", seen, options.findingsFor),
    intakeEngine: fakeEngine("intake", seen, options.findingsFor),
    starter: {
      async start(_category, name) {
        if (options.startFails) throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
        started.push(name);
        return { executionArn: `arn:${name}`, started: true };
      },
    },
    requeue: async (finding) => void requeued.push(finding),
    logger: silentLogger,
  };
  return { seen, started, requeued, handler: createCorrelateHandler(() => deps) };
}

const message = (messageId: string, body: unknown) => ({ messageId, body: JSON.stringify(body) });

describe("correlate function", () => {
  it("processes the batch in event-time order, rule deliveries and intake events each with their engine", async () => {
    const { seen, handler } = setup();

    const result = await handler({
      Records: [
        message("m1", envelope("late", "2026-03-10T14:31:00Z")),
        message("m2", { riposte: "intake", event: envelope("early", "2026-03-10T14:29:00Z") }),
        message("m3", envelope("middle", "2026-03-10T14:30:00Z")),
      ],
    });

    expect(seen).toEqual(["intake:early", "rule:middle", "rule:late"]);
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it("starts one workflow per finding, named after its incident", async () => {
    const { started, handler } = setup({ findingsFor: () => [FINDINGS.network] });

    await handler({ Records: [message("m1", envelope("e1", "2026-03-10T14:29:00Z"))] });

    expect(started).toEqual([expect.stringMatching(/^sg-ssh-open-world-[0-9a-f]{20}$/)]);
  });

  it("queues a finding whose workflow cannot start yet, and fails a start message that still cannot", async () => {
    const { requeued, handler } = setup({ findingsFor: () => [FINDINGS.storage], startFails: true });

    const result = await handler({
      Records: [
        message("m1", envelope("e1", "2026-03-10T14:29:00Z")),
        message("m2", { riposte: "start", finding: FINDINGS.identity }),
      ],
    });

    expect(requeued.map((finding) => finding.detection)).toEqual(["s3-public-access-block-disabled"]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m2" }] });
  });

  it("marks the findings of intake events (they wait for approval), not those of rule deliveries", async () => {
    const { requeued, handler } = setup({
      findingsFor: (event) => [{ ...FINDINGS.storage, eventIds: [event.id] }],
      startFails: true,
    });

    await handler({
      Records: [
        message("m1", envelope("ruled", "2026-03-10T14:29:00Z")),
        message("m2", { riposte: "intake", event: envelope("posted", "2026-03-10T14:30:00Z") }),
      ],
    });

    expect(requeued.map((finding) => [finding.eventIds[0], finding.fromIntake])).toEqual([
      ["ruled", undefined],
      ["posted", true],
    ]);
  });

  it("drops a malformed message without failing the others", async () => {
    const { seen, handler } = setup();

    const result = await handler({
      Records: [{ messageId: "bad", body: "{not json" }, message("m1", envelope("e1", "2026-03-10T14:29:00Z"))],
    });

    expect(seen).toEqual(["rule:e1"]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it("returns the failed event and every later one to the queue when the state store fails", async () => {
    const { seen, handler } = setup();

    const result = await handler({
      Records: [
        message("m1", envelope("e1", "2026-03-10T14:29:00Z")),
        message("m2", envelope("explodes", "2026-03-10T14:30:00Z")),
        message("m3", envelope("e3", "2026-03-10T14:31:00Z")),
      ],
    });

    expect(seen).toEqual(["rule:e1", "rule:explodes"]);
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(["m2", "m3"]);
  });
});

describe("one security-group change through the deployed rules", () => {
  it("starts one execution per finding, named after its incident, however many rules queue the event, and none on redelivery", async () => {
    const config = parseConfig({});
    const [change] = normalizeRecords([authorizeIngress("sg-0a1", [{ protocol: "-1", cidrs: ["0.0.0.0/0"] }])]).events;
    const envelope = change!.envelope;
    const selecting = deployedRules(config).filter((rule) =>
      matches(compilePattern(JSON.parse(rule.pattern)), envelope),
    );
    const stateful = CATALOG.filter((definition) => definition.stateful).map((definition) => definition.id);
    const engine = createDetectionEngine({
      config,
      state: new MemoryCorrelationStore(),
      detections: correlatedDetections(stateful),
      dedupe: true,
    });
    const started: string[] = [];
    const handler = createCorrelateHandler(() => ({
      ruleEngine: engine,
      intakeEngine: engine,
      starter: { start: async (_category, name) => ({ executionArn: `arn:${name}`, started: !!started.push(name) }) },
      requeue: async () => undefined,
      logger: silentLogger,
    }));
    const deliveries = () => ({ Records: selecting.map((rule) => message(`m-${rule.id}`, envelope)) });

    await handler(deliveries());
    await handler(deliveries());

    // No rule starts a workflow for it directly: each used to start one execution per matching detection.
    expect(selecting.filter((rule) => rule.target.kind === "workflow")).toEqual([]);
    expect(selecting.length).toBeGreaterThan(1);
    const expected = ["sg-high-risk-port-open", "sg-ssh-open-world"].map((detection) =>
      incidentIdFor({ detection: detection as never, eventIds: [change!.id] }),
    );
    expect([...started].sort()).toEqual(expected.sort());
  });
});
