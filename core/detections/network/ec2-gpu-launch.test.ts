import { describe, expect, it } from "vitest";
import { record, runInstances } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import type { ConfigInput } from "../../config/schema.js";
import { normalizeRecords } from "../../events/index.js";
import { compilePattern } from "../../patterns/compile.js";
import { matches } from "../../patterns/match.js";
import { detectionPattern } from "../catalog.js";
import { ec2GpuLaunch, instanceFamily } from "./ec2-gpu-launch.js";

type Json = Record<string, unknown>;

const envelopeOf = (value: unknown) => normalizeRecords(value).events[0]!.envelope;

/** The finding and whether the detection's EventBridge pattern (loop prevention included) selects the record. */
function run(value: Json, input: ConfigInput = {}) {
  const config = parseConfig(input);
  const envelope = envelopeOf(value);
  const selected = matches(compilePattern(detectionPattern(ec2GpuLaunch, config)), envelope);
  return { finding: ec2GpuLaunch.evaluate(envelope, config), selected };
}

/** A RunInstances record whose request carries `request` and whose response lists `launched` instances. */
function launchRecord(
  request: Json | null,
  launched: Json[] | null = [{ instanceId: "i-01", instanceType: "t3.micro" }],
) {
  return record(
    "ec2.amazonaws.com",
    "RunInstances",
    request,
    launched === null ? null : { reservationId: "r-0123456789abcdef0", instancesSet: { items: launched } },
  );
}

describe("instanceFamily", () => {
  it.each([
    ["g5.xlarge", "g"],
    ["g4dn.xlarge", "g"],
    ["g5g.2xlarge", "g"],
    ["g6e.12xlarge", "g"],
    ["gr6.4xlarge", "gr"],
    ["p4d.24xlarge", "p"],
    ["p5en.48xlarge", "p"],
    ["p6-b200.48xlarge", "p"],
    ["inf2.xlarge", "inf"],
    ["trn1n.32xlarge", "trn"],
    ["dl1.24xlarge", "dl"],
    ["dl2q.24xlarge", "dl"],
    ["c6g.large", "c"],
    ["m5.large", "m"],
    ["hpc7g.4xlarge", "hpc"],
    ["x2gd.xlarge", "x"],
    ["d3.xlarge", "d"],
    ["i4i.large", "i"],
    ["u-6tb1.metal", "u"],
    ["G5.XLARGE", "g"],
    ["", ""],
    ["5.xlarge", ""],
  ])("%s is family %j", (type, family) => {
    expect(instanceFamily(type)).toBe(family);
  });
});

describe("ec2-gpu-launch", () => {
  it.each([
    ["p4d.24xlarge", true],
    ["p3dn.24xlarge", true],
    ["p6-b200.48xlarge", true],
    ["g4dn.xlarge", true],
    ["g5g.xlarge", true],
    ["g6e.xlarge", true],
    ["gr6.4xlarge", true],
    ["inf1.xlarge", true],
    ["inf2.xlarge", true],
    ["trn1.2xlarge", true],
    ["trn2.48xlarge", true],
    ["dl1.24xlarge", true],
    ["dl2q.24xlarge", true],
    ["c6g.large", false],
    ["c7gn.large", false],
    ["m5.large", false],
    ["m7g.medium", false],
    ["r6gd.large", false],
    ["d3en.xlarge", false],
    ["i3.large", false],
    ["f1.2xlarge", false],
    ["t4g.micro", false],
    ["hpc7g.4xlarge", false],
    ["mac2-m2pro.metal", false],
  ])("one %s by default fires: %s (and the pattern selects every launch that fires)", (type, fires) => {
    const { finding, selected } = run(launchRecord({ instanceType: type, instancesSet: { items: [{ maxCount: 1 }] } }));

    expect(finding !== undefined).toBe(fires);
    if (fires) expect(selected).toBe(true);
  });

  it("keeps ordinary launches out before any code runs", () => {
    const ordinary = runInstances(["sg-0a1b2c3d"]);

    expect(run(ordinary).selected).toBe(false);
    expect(run(launchRecord({ instanceType: "c6g.large", instancesSet: { items: [{ maxCount: 9 }] } })).selected).toBe(
      false,
    );
  });

  it("reads a launch template's type from the response, and reports every instance, type and the count", () => {
    const launched = [
      { instanceId: "i-0aaa", instanceType: "g5.xlarge" },
      { instanceId: "i-0bbb", instanceType: "g5.xlarge" },
    ];
    const request = {
      launchTemplate: { launchTemplateId: "lt-0a1b", version: "3" },
      instancesSet: { items: [{ minCount: 2, maxCount: 2 }] },
    };

    const { finding, selected } = run(launchRecord(request, launched));

    expect(selected).toBe(true);
    expect(finding).toMatchObject({
      resource: "r-0123456789abcdef0",
      facts: {
        eventName: "RunInstances",
        instanceIds: ["i-0aaa", "i-0bbb"],
        instanceTypes: ["g5.xlarge"],
        acceleratedTypes: ["g5.xlarge"],
        maxCount: 2,
      },
    });
    expect(finding?.summary).toBe(
      "arn:aws:iam::123456789012:user/alice launched 2 instances (accelerated type g5.xlarge)",
    );
  });

  it("fires on maxCount at the threshold, as a number or a numeric string, and not one below", () => {
    const asking = (maxCount: unknown) =>
      launchRecord({ instanceType: "t3.micro", instancesSet: { items: [{ maxCount }] } });

    expect(run(asking(10))).toMatchObject({ selected: true, finding: { facts: { maxCount: 10 } } });
    expect(run(asking("25"))).toMatchObject({ selected: true, finding: { facts: { maxCount: 25 } } });
    expect(run(asking(9)).finding).toBeUndefined();
    expect(run(asking("9")).finding).toBeUndefined();
  });

  it("follows thresholds.ec2GpuLaunch: other families, a higher count, no families at all", () => {
    const fpga = launchRecord({ instanceType: "f1.2xlarge", instancesSet: { items: [{ maxCount: 1 }] } });
    const fleet = launchRecord({ instanceType: "t3.micro", instancesSet: { items: [{ maxCount: 20 }] } });
    const gpu = launchRecord({ instanceType: "g5.xlarge", instancesSet: { items: [{ maxCount: 1 }] } });

    expect(run(fpga, { thresholds: { ec2GpuLaunch: { families: ["f"] } } })).toMatchObject({
      selected: true,
      finding: {},
    });
    expect(run(fleet, { thresholds: { ec2GpuLaunch: { maxCount: 50 } } }).finding).toBeUndefined();
    expect(run(gpu, { thresholds: { ec2GpuLaunch: { families: [] } } })).toMatchObject({
      selected: false,
      finding: undefined,
    });
  });

  it("reads the type written as {value}, and never throws on odd shapes", () => {
    expect(run(launchRecord({ instanceType: { value: "p5.48xlarge" } }, null))).toMatchObject({
      selected: true,
      finding: { resource: "instances", facts: { instanceIds: [], instanceTypes: ["p5.48xlarge"] } },
    });
    for (const request of [
      null,
      {},
      { instanceType: 5 },
      { instanceType: [] },
      { instancesSet: "x" },
      { instancesSet: { items: [null, 3, { maxCount: {} }] } },
    ]) {
      for (const launched of [null, [], [null, "i-1", { instanceType: 7 }]]) {
        expect(() => run(launchRecord(request as Json | null, launched as Json[] | null))).not.toThrow();
        expect(run(launchRecord(request as Json | null, launched as Json[] | null)).finding).toBeUndefined();
      }
    }
  });
});
