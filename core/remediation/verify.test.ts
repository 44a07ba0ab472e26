import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident, sshOpenFacts } from "../../test/remediation/fixtures.js";
import { taskDeps } from "../../test/remediation/harness.js";
import { mockAws } from "../../test/remediation/mock-aws.js";
import type { AppliedAction } from "../model/incident.js";
import { planRemediation } from "./policy.js";
import { verifyRemediation } from "./verify.js";

const aws = mockAws();
afterAll(() => aws.restore());

const GROUP = "sg-0123456789abcdef0";
const sg = incident("sg-ssh-open-world", sshOpenFacts());
const sshWorld = {
  SecurityGroupRuleId: "sgr-00000000000000001",
  GroupId: GROUP,
  IsEgress: false,
  IpProtocol: "tcp",
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: "0.0.0.0/0",
};

function applied(outcome: AppliedAction["outcome"], extra: Partial<AppliedAction> = {}): AppliedAction {
  const planned = planRemediation(sg, config())[0];
  if (!planned) throw new Error("no plan");
  return {
    ...planned,
    mode: outcome === "dry-run" ? "dry-run" : "live",
    outcome,
    at: "2026-03-02T10:05:00Z",
    ...extra,
  };
}

async function depsWith(cfg = config({ remediation: { verify: { attempts: 3, delaySeconds: 2 } } })) {
  const deps = taskDeps(cfg);
  await deps.store.createIncident({ ...sg, evidence: [] });
  return deps;
}

describe("verifyRemediation", () => {
  beforeEach(() => {
    aws.reset();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP }] });
  });

  it("passes a dry-run, saying nothing was sent, without reading AWS", async () => {
    const deps = await depsWith();

    const result = await verifyRemediation({ incident: sg, actions: [applied("dry-run")] }, deps);

    expect(result.verified).toBe(true);
    expect(result.checks[0]?.detail).toMatch(/^1 call recorded, none sent/);
    expect(aws.sent()).toEqual([]);
  });

  it("fails skipped and failed actions with their reason", async () => {
    const deps = await depsWith();

    const result = await verifyRemediation(
      {
        incident: sg,
        actions: [applied("skipped", { error: "circuit breaker open" }), applied("failed", { error: "boom" })],
      },
      deps,
    );

    expect(result.verified).toBe(false);
    expect(result.checks.map((c) => c.detail)).toEqual(["circuit breaker open", "boom"]);
  });

  it("reads again when AWS lags behind the write, and passes once it catches up", async () => {
    aws.ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [sshWorld] })
      .resolves({ SecurityGroupRules: [] });
    const deps = await depsWith();
    const sleeps: number[] = [];

    const result = await verifyRemediation({ incident: sg, actions: [applied("applied")] }, deps, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    expect(result.verified).toBe(true);
    expect(sleeps).toEqual([2000]);
  });

  it("fails verification when the risk is still there after every re-read, and records it", async () => {
    aws.ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [sshWorld] });
    const deps = await depsWith();
    const sleeps: number[] = [];

    const result = await verifyRemediation({ incident: sg, actions: [applied("applied")] }, deps, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    expect(result.verified).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      [`revoke-sg-rules ${applied("applied").target}: offending rules revoked`, false],
      [`revoke-sg-rules ${applied("applied").target}: no world-open rule on a risky port`, false],
    ]);
    expect(sleeps).toHaveLength(2);
    expect((await deps.store.getIncident(sg.id))?.verification).toEqual(result);
    expect((await deps.store.listAudit(sg.id)).map((e) => e.action)).toEqual(["verification.failed"]);
  });

  it("does not call nothing a success", async () => {
    const result = await verifyRemediation({ incident: sg, actions: [] }, await depsWith());

    expect(result).toEqual({
      verified: false,
      checks: [{ name: "remediation", ok: false, detail: "no action was taken" }],
    });
  });
});
