import { DescribeInstancesCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const A = "i-0aaaaaaaaaaaaaaa1";
const B = "i-0bbbbbbbbbbbbbbb2";
const launched = (facts: Record<string, unknown> = {}) =>
  incident(
    "ec2-gpu-launch",
    { eventName: "RunInstances", instanceIds: [B, A], instanceTypes: ["p4d.24xlarge"], ...facts },
    { region: "us-west-2" },
  );
const described = (states: Record<string, string>, tags: Record<string, string> = {}) => ({
  Reservations: [
    {
      Instances: Object.entries(states).map(([InstanceId, Name]) => ({
        InstanceId,
        State: { Name: Name as "running" },
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      })),
    },
  ],
});
const approved = { approved: true };

describe("ec2-stop-instances: plan", () => {
  it("stops the launched instances in the incident's region", () => {
    expect(staticPlan("ec2-stop-instances", launched())).toMatchObject({
      ok: true,
      planned: {
        target: `2 instances (${A}, ${B})`,
        destructive: true,
        calls: [{ service: "ec2", operation: "StopInstances", params: { InstanceIds: [A, B] }, region: "us-west-2" }],
      },
    });
  });

  it.each([
    ["no instance ids", { instanceIds: undefined }, /no launched instances/],
    ["ids that are not instance ids", { instanceIds: ["i-../x", 3, null] }, /no launched instances/],
    ["a string instead of a list", { instanceIds: A }, /no launched instances/],
    [
      "more than 50 instances",
      { instanceIds: Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, "0")}`) },
      /51 instances .* by hand/,
    ],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("ec2-stop-instances", launched(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("ec2-stop-instances: live", () => {
  it("stops only the instances still running, read by an id filter, and verifies", async () => {
    aws.ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described({ [A]: "running", [B]: "stopped" }))
      .resolves(described({ [A]: "stopping", [B]: "stopped" }));

    const { applied, verification } = await remediateAndVerify("ec2-stop-instances", launched(), config(), approved);

    expect(aws.inputs("DescribeInstancesCommand")[0]).toEqual({ Filters: [{ Name: "instance-id", Values: [A, B] }] });
    expect(aws.inputs("StopInstancesCommand")).toEqual([{ InstanceIds: [A] }]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("is already done when every instance is stopped or terminated", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves(described({ [A]: "terminated", [B]: "stopped" }));

    const { applied } = await remediateAndVerify("ec2-stop-instances", launched(), config(), approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("StopInstancesCommand")).toEqual([]);
  });

  it("fails verification when an instance still runs", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves(described({ [A]: "running", [B]: "running" }));
    aws.ec2.on(StopInstancesCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("ec2-stop-instances", launched(), config(), approved);

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: `still ${A}: running, ${B}: running` })],
    });
  });

  it("counts instances no longer listed as gone", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    const { applied } = await remediateAndVerify("ec2-stop-instances", launched(), config(), approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves the launch alone when an instance carries the protection tag", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves(described({ [A]: "running" }, { "riposte:protect": "true" }));

    const { applied } = await remediateAndVerify("ec2-stop-instances", launched(), config(), approved);

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("StopInstancesCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("ec2-stop-instances", launched());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
