import {
  DescribeHubCommand,
  GetEnabledStandardsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-securityhub";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";
import { standardOfSubscription } from "./securityhub.plan.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const SUB = "arn:aws:securityhub:eu-west-1:123456789012:subscription";
const FSBP = "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0";
const HUB = "arn:aws:securityhub:eu-west-1:123456789012:hub/default";

const standardsDisabled = (subscriptions: unknown[] = [`${SUB}/aws-foundational-security-best-practices/v/1.0.0`]) =>
  incident(
    "securityhub-disabled",
    { eventName: "BatchDisableStandards", standardsSubscriptionArns: subscriptions },
    { region: "eu-west-1" },
  );
const hubDisabled = () =>
  incident(
    "securityhub-disabled",
    { eventName: "DisableSecurityHub", standardsSubscriptionArns: [] },
    { region: "eu-west-1" },
  );

/** An enabled hub whose standards read as `reads` in turn (the last one from then on). */
function enabledHub(reads: [...Record<string, string>[], Record<string, string>], tags: Record<string, string> = {}) {
  aws.securityhub.on(DescribeHubCommand).resolves({ HubArn: HUB });
  aws.securityhub.on(ListTagsForResourceCommand).resolves({ Tags: tags });
  const answer = (standards: Record<string, string>) => ({
    StandardsSubscriptions: Object.entries(standards).map(([arn, status]) => ({
      StandardsArn: arn,
      StandardsStatus: status as "READY",
      StandardsSubscriptionArn: "s",
      StandardsInput: {},
    })),
  });
  const standards = aws.securityhub.on(GetEnabledStandardsCommand);
  for (const read of reads.slice(0, -1)) standards.resolvesOnce(answer(read));
  standards.resolves(answer(reads.at(-1) as Record<string, string>));
}

describe("standardOfSubscription", () => {
  it.each([
    [`${SUB}/aws-foundational-security-best-practices/v/1.0.0`, FSBP],
    [`${SUB}/cis-aws-foundations-benchmark/v/1.2.0`, CIS12],
    [
      `${SUB}/cis-aws-foundations-benchmark/v/1.4.0`,
      "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0",
    ],
    [`${SUB}/pci-dss/v/3.2.1`, "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/3.2.1"],
  ])("maps %s to %s", (subscription, standard) => {
    expect(standardOfSubscription(subscription, "123456789012", "eu-west-1")).toBe(standard);
  });

  it.each([
    ["another account", `${SUB.replace("123456789012", "210987654321")}/pci-dss/v/3.2.1`],
    ["another region", `${SUB.replace("eu-west-1", "us-east-1")}/pci-dss/v/3.2.1`],
    ["a path out of the standard", `${SUB}/pci-dss/v/3.2.1/../../x`],
    ["a standard ARN", FSBP],
    ["no text", 7],
  ])("refuses %s", (_, subscription) => {
    expect(standardOfSubscription(subscription, "123456789012", "eu-west-1")).toBeUndefined();
  });
});

describe("securityhub-enable: plan", () => {
  it("re-enables exactly the disabled standards, in the incident's region", () => {
    const plan = staticPlan(
      "securityhub-enable",
      standardsDisabled([
        `${SUB}/aws-foundational-security-best-practices/v/1.0.0`,
        `${SUB}/cis-aws-foundations-benchmark/v/1.2.0`,
      ]),
    );

    expect(plan).toMatchObject({
      ok: true,
      planned: {
        target: "Security Hub (eu-west-1)",
        destructive: false,
        calls: [
          {
            service: "securityhub",
            operation: "BatchEnableStandards",
            params: { StandardsSubscriptionRequests: [{ StandardsArn: FSBP }, { StandardsArn: CIS12 }] },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("enables the hub again without default standards after DisableSecurityHub", () => {
    expect(staticPlan("securityhub-enable", hubDisabled())).toMatchObject({
      ok: true,
      planned: {
        calls: [
          {
            service: "securityhub",
            operation: "EnableSecurityHub",
            params: { EnableDefaultStandards: false },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it.each([
    ["no subscriptions", [], /no disabled standards subscription/],
    [
      "another account's subscription",
      [`${SUB.replace("123456789012", "210987654321")}/pci-dss/v/3.2.1`],
      /no standards subscription of this account/,
    ],
    ["a subscription that is not text", [{ arn: "x" }], /no standards subscription/],
  ])("does not apply with %s", (_, subscriptions, reason) => {
    expect(staticPlan("securityhub-enable", standardsDisabled(subscriptions))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it("does not apply to another event", () => {
    const other = incident("securityhub-disabled", { eventName: "DeleteInsight" }, { region: "eu-west-1" });

    expect(staticPlan("securityhub-enable", other)).toMatchObject({ ok: false });
  });
});

describe("securityhub-enable: live", () => {
  it("re-enables the standard the hub lost, and verifies it", async () => {
    enabledHub([{ [CIS12]: "READY" }, { [CIS12]: "READY", [FSBP]: "PENDING" }], { team: "security" });

    const { applied, verification } = await remediateAndVerify("securityhub-enable", standardsDisabled());

    expect(aws.inputs("ListTagsForResourceCommand")[0]).toEqual({ ResourceArn: HUB });
    expect(aws.inputs("EnableSecurityHubCommand")).toEqual([]);
    expect(aws.inputs("BatchEnableStandardsCommand")).toEqual([
      { StandardsSubscriptionRequests: [{ StandardsArn: FSBP }] },
    ]);
    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: true,
      checks: [
        { name: expect.stringMatching(/Security Hub enabled in eu-west-1$/), ok: true },
        { name: expect.stringMatching(`standard ${FSBP} enabled$`), ok: true, detail: "PENDING" },
      ],
    });
  });

  it("reads every page of the enabled standards", async () => {
    aws.securityhub.on(DescribeHubCommand).resolves({ HubArn: HUB });
    aws.securityhub.on(ListTagsForResourceCommand).resolves({ Tags: {} });
    aws.securityhub
      .on(GetEnabledStandardsCommand)
      .resolvesOnce({
        StandardsSubscriptions: [{ StandardsArn: CIS12, StandardsStatus: "READY" }] as never,
        NextToken: "p2",
      })
      .resolves({ StandardsSubscriptions: [{ StandardsArn: FSBP, StandardsStatus: "READY" }] as never });

    const { applied } = await remediateAndVerify("securityhub-enable", standardsDisabled());

    expect(aws.inputs("GetEnabledStandardsCommand")[1]).toEqual({ MaxResults: 100, NextToken: "p2" });
    expect(applied.outcome).toBe("already-done");
  });

  it("enables the hub, without default standards, when it reads disabled", async () => {
    aws.securityhub
      .on(DescribeHubCommand)
      .rejectsOnce(awsError("InvalidAccessException", "Account is not subscribed to AWS Security Hub"))
      .resolves({ HubArn: HUB });
    aws.securityhub.on(ListTagsForResourceCommand).resolves({ Tags: {} });
    aws.securityhub.on(GetEnabledStandardsCommand).resolves({ StandardsSubscriptions: [] });

    const { applied, verification } = await remediateAndVerify("securityhub-enable", hubDisabled());

    expect(aws.inputs("EnableSecurityHubCommand")).toEqual([{ EnableDefaultStandards: false }]);
    expect(aws.inputs("BatchEnableStandardsCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("is already done when the standard is subscribed again", async () => {
    enabledHub([{ [FSBP]: "READY" }]);

    const { applied } = await remediateAndVerify("securityhub-enable", standardsDisabled());

    expect(applied.outcome).toBe("already-done");
    expect(aws.sent()).not.toContain("securityhub:BatchEnableStandardsCommand");
  });

  it("fails verification when the standard did not come back", async () => {
    enabledHub([{}, { [FSBP]: "FAILED" }]);

    const { applied, verification } = await remediateAndVerify("securityhub-enable", standardsDisabled());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.anything(), expect.objectContaining({ ok: false, detail: "FAILED" })],
    });
  });

  it("fails verification when the hub is still disabled", async () => {
    aws.securityhub.on(DescribeHubCommand).rejects(awsError("InvalidAccessException"));

    const { verification } = await remediateAndVerify("securityhub-enable", hubDisabled());

    expect(verification).toMatchObject({ verified: false, checks: [{ ok: false }] });
  });

  it("leaves a protected hub alone", async () => {
    enabledHub([{}], { "riposte:protect": "true" });

    const { applied } = await remediateAndVerify("securityhub-enable", standardsDisabled());

    expect(applied.outcome).toBe("skipped");
    expect(aws.sent()).not.toContain("securityhub:BatchEnableStandardsCommand");
  });

  it("does not send EnableSecurityHub in dry-run", async () => {
    const { applied } = await remediateAndVerify("securityhub-enable", hubDisabled(), undefined, { mode: "dry-run" });

    expect(applied.outcome).not.toBe("applied");
    expect(aws.sent()).not.toContain("securityhub:EnableSecurityHubCommand");
  });
});
