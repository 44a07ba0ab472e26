import { describe, expect, it } from "vitest";
import {
  authorizeIngress,
  cloudtrail,
  identity,
  publicReadPolicy,
  revokeIngress,
  s3,
} from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { createDetectionEngine, type DetectionEngine } from "./engine.js";

/**
 * `orderFree`: the findings that are the same whatever order events come in are given at once,
 * without the engine's clock or state; the rest, in event-time order, completes what `process`
 * gives.
 */

const T0 = Date.parse("2026-03-01T10:00:00Z");
const HOUR = 3_600_000;
const open22 = [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }];
const GROUP = "sg-0123456789abcdef0";

function engine(): DetectionEngine {
  return createDetectionEngine({ config: parseConfig({}), state: new MemoryCorrelationStore() });
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const options = (ms: number) => ({ user: identity.user("alice"), time: iso(ms) });
const eventsOf = (...records: Record<string, unknown>[]): SecurityEvent[] =>
  records.flatMap((record) => normalizeRecords(record).events);
const detections = (findings: readonly Finding[]) => findings.map((finding) => finding.detection).sort();

function orderFreeOf(target: DetectionEngine) {
  if (!target.orderFree) throw new Error("the detection engine should split order-free findings");
  return target.orderFree;
}

describe("order-free findings", () => {
  it("gives a StopLogging call's finding at once, without moving the engine's clock, and not again", async () => {
    // Arrange
    const subject = engine();
    const [stop] = eventsOf(cloudtrail("StopLogging", { name: "trail" }, options(T0)));

    // Act
    const found = orderFreeOf(subject).find(stop!);
    const clockAfterFind = subject.latestTime;
    const rest = await orderFreeOf(subject).processBatch([stop!], () => true);

    // Assert
    expect(detections(found)).toEqual(["cloudtrail-tampering"]);
    expect(clockAfterFind).toBeUndefined();
    expect(detections(rest)).not.toContain("cloudtrail-tampering");
    expect(subject.latestTime).toBe(T0);
  });

  it("gives a world-open rule's finding at once (a revoke resolves it by event time) and its tracking in order", async () => {
    // Arrange
    const subject = engine();
    const [open] = eventsOf(authorizeIngress(GROUP, open22, options(T0)));

    // Act
    const found = orderFreeOf(subject).find(open!);
    const rest = await orderFreeOf(subject).processBatch([open!], () => true);

    // Assert: the tracker learnt the rule in the ordered part (a revoke then resolves it).
    expect(detections(found)).toContain("sg-ssh-open-world");
    expect(detections(rest)).not.toContain("sg-ssh-open-world");
    const [revoke] = eventsOf(revokeIngress(GROUP, open22, options(T0 + 1000)));
    expect(detections(await subject.process(revoke!))).toContain("sg-risk-resolved");
  });

  it("keeps a public bucket policy's finding for the ordered part: it carries the policy before it", async () => {
    // Arrange: a private policy, then a public one for the same bucket.
    const subject = engine();
    const privatePolicy = { Version: "2012-10-17", Statement: [] };
    const [first, second] = eventsOf(
      s3("PutBucketPolicy", "reports", { policy: privatePolicy }, options(T0)),
      s3("PutBucketPolicy", "reports", { policy: publicReadPolicy("reports") }, options(T0 + 1000)),
    );

    // Act
    const found = orderFreeOf(subject).find(second!);
    const rest = await orderFreeOf(subject).processBatch([first!, second!], () => false);

    // Assert
    expect(found).toEqual([]);
    const publicPolicy = rest.find((finding) => finding.detection === "s3-bucket-policy-public");
    expect(publicPolicy?.facts).toHaveProperty("previousPolicy");
  });

  it("finding every event's order-free part first, in any order, then the rest in order gives what process gives", async () => {
    // Arrange: a rule opened and left open past the zombie-rule hours, a StopLogging call after
    // them (its time fires the zombie timer), another rule opened and revoked.
    const events = eventsOf(
      authorizeIngress(GROUP, open22, options(T0)),
      cloudtrail("StopLogging", { name: "trail" }, options(T0 + HOUR)),
      authorizeIngress("sg-0fedcba9876543210", open22, options(T0 + 2 * HOUR)),
      revokeIngress("sg-0fedcba9876543210", open22, options(T0 + 3 * HOUR)),
      cloudtrail("DeleteTrail", { name: "trail" }, options(T0 + 30 * HOUR)),
    );
    const whole = engine();
    const split = engine();
    const expected: Finding[] = [];
    for (const event of events) expected.push(...(await whole.process(event)));

    // Act
    const found = new Set<SecurityEvent>();
    const early: Finding[] = [];
    for (const event of [...events].reverse()) {
      const own = orderFreeOf(split).find(event);
      if (own.length > 0) found.add(event);
      early.push(...own);
    }
    const rest = await orderFreeOf(split).processBatch(events, (event) => found.has(event));

    // Assert: the same findings, the order-free ones among them, the timer's too.
    expect(detections(early).sort()).toEqual([
      "cloudtrail-tampering",
      "cloudtrail-tampering",
      "sg-ssh-open-world",
      "sg-ssh-open-world",
    ]);
    expect(detections(expected)).toEqual(
      expect.arrayContaining(["sg-zombie-rule", "sg-risk-resolved", "sg-ssh-open-world"]),
    );
    const asText = (findings: readonly Finding[]) => findings.map((finding) => JSON.stringify(finding)).sort();
    expect(asText([...early, ...rest])).toEqual(asText(expected));
  });
});
