import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, config, incident, sshOpenFacts } from "../../test/remediation/fixtures.js";
import { taskDeps } from "../../test/remediation/harness.js";
import { mockAws } from "../../test/remediation/mock-aws.js";
import type { RiposteConfig } from "../config/schema.js";
import { RemediationNotAllowed, TransientError } from "../errors.js";
import type { WorkingIncident } from "../model/tasks.js";
import { MemoryActionLedger } from "../store/memory-ledger.js";
import { planRemediation } from "./policy.js";
import { remediate } from "./remediate.js";

const aws = mockAws();
afterAll(() => aws.restore());

const GROUP = "sg-0123456789abcdef0";
const NOW = new Date("2026-03-02T10:05:00Z");

function liveGroup() {
  aws.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP }] });
  aws.ec2.on(DescribeSecurityGroupRulesCommand).resolves({
    SecurityGroupRules: [
      {
        SecurityGroupRuleId: "sgr-00000000000000001",
        GroupId: GROUP,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: "0.0.0.0/0",
      },
    ],
  });
  aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
}

async function stored(
  work: WorkingIncident,
  cfg: RiposteConfig = config(),
  overrides: Parameters<typeof taskDeps>[1] = {},
) {
  const deps = taskDeps(cfg, { now: () => NOW, ...overrides });
  await deps.store.createIncident({ ...work, evidence: [] });
  return deps;
}

describe("remediate", () => {
  beforeEach(() => aws.reset());
  const sg = incident("sg-ssh-open-world", sshOpenFacts());

  it("dry-run: moves to PROCESSING, records the exact calls and sends nothing", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    const plan = planRemediation(sg, deps.config, NOW);

    const { actions } = await remediate({ incident: sg, plan }, deps);

    const after = await deps.store.getIncident(sg.id);
    expect(aws.sent()).toEqual([]);
    expect(actions).toMatchObject([{ outcome: "dry-run", mode: "dry-run", calls: plan[0]?.calls }]);
    expect(after?.status).toBe("PROCESSING");
    expect(after?.transitions.at(-1)).toMatchObject({
      to: "PROCESSING",
      by: "remediate",
      reason: "automatic remediation",
    });
    expect(after?.actions).toEqual(actions);
    expect((await deps.store.listAudit(sg.id)).map((e) => e.action)).toEqual(["action.dry-run"]);
  });

  it("live: applies, checking first that the credentials act in the incident's account", async () => {
    liveGroup();
    const deps = await stored(sg);

    const { actions } = await remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps);

    expect(aws.sent()).toContain("sts:GetCallerIdentityCommand");
    expect(actions.map((a) => a.outcome)).toEqual(["applied"]);
  });

  it("does nothing in another account than the credentials'", async () => {
    liveGroup();
    aws.sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999" });
    const deps = await stored(sg);

    const { actions } = await remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps);

    expect(actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/cross-account/) });
    expect(aws.sent()).toEqual(["sts:GetCallerIdentityCommand"]);
  });

  it("says so, and changes nothing, when the credentials cannot be used", async () => {
    aws.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error("expired"), { name: "ExpiredToken", $metadata: { httpStatusCode: 403 } }));
    const deps = await stored(sg);

    const { actions } = await remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps);

    expect(actions[0]).toMatchObject({
      outcome: "skipped",
      error: expect.stringMatching(/credentials cannot be used.*ExpiredToken/),
    });
  });

  it("judges production on the enrichment stored since the workflow copied the incident", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    await deps.store.patchIncident(sg.id, {
      enrichment: { errors: [], resource: { type: "sg", id: GROUP, tags: {}, production: true, protected: false } },
    });

    const { actions } = await remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps);

    expect(actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/production-tagged/) });
  });

  it("keeps one record per action and target when the task is retried", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    const plan = planRemediation(sg, deps.config, NOW);

    await remediate({ incident: sg, plan }, deps);
    await remediate({ incident: sg, plan }, deps);

    expect((await deps.store.getIncident(sg.id))?.actions).toHaveLength(1);
  });

  it("records a dry-run once when the task runs again after a crash", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    const plan = planRemediation(sg, deps.config, NOW);

    const first = await remediate({ incident: sg, plan }, deps);
    const again = await remediate({ incident: sg, plan }, deps);

    expect(again.actions).toEqual(first.actions);
    expect((await deps.store.listAudit(sg.id)).map((e) => e.action)).toEqual(["action.dry-run"]);
  });

  it("audits a reused dry-run when the crash came between recording it and auditing it", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    const plan = planRemediation(sg, deps.config, NOW);
    const first = await remediate({ incident: sg, plan }, deps);
    // The same store without the audit entry: the process died after patchIncident.
    const lost = await stored(sg, config(), { mode: "dry-run" });
    await lost.store.patchIncident(sg.id, { actions: first.actions });

    const again = await remediate({ incident: sg, plan }, lost);

    expect(again.actions).toEqual(first.actions);
    expect((await lost.store.listAudit(sg.id)).map((e) => e.action)).toEqual(["action.dry-run"]);
  });

  it("refuses a plan whose target the incident's facts do not name", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    const plan = planRemediation(sg, deps.config, NOW).map((p) => ({
      ...p,
      target: "sg-0fffffffffffffff0 (tcp 22 from 0.0.0.0/0)",
    }));

    await expect(remediate({ incident: sg, plan }, deps)).rejects.toBeInstanceOf(RemediationNotAllowed);
  });

  it.each([
    ["remediation off", { mode: "off" as const }, {}, /remediation is off/],
    [
      "a rejected approval",
      {},
      { approval: { decision: "reject" as const, approver: "U1", at: NOW.toISOString() } },
      /rejected by "U1"/,
    ],
  ])("does nothing with %s", async (_name, depsOverride, inputOverride, reason) => {
    const deps = await stored(sg, config(), depsOverride);

    const { actions } = await remediate(
      { incident: sg, plan: planRemediation(sg, deps.config, NOW), ...inputOverride },
      deps,
    );

    expect(actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(reason) });
    expect(aws.sent()).toEqual([]);
  });

  it("never acts on an incident caused by its own role, whatever the plan says", async () => {
    const own = incident("sg-ssh-open-world", sshOpenFacts(), {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/riposte-remediate/x`,
    });
    const deps = await stored(own);

    const { actions } = await remediate({ incident: own, plan: planRemediation(own, deps.config, NOW) }, deps);

    expect(actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/loop prevention/) });
    expect(aws.sent()).toEqual([]);
  });

  it("does nothing once the incident reached a final status", async () => {
    const deps = await stored(sg, config(), { mode: "dry-run" });
    await deps.store.transition(sg.id, "RESOLVED", { at: NOW.toISOString(), by: "test" });

    const { actions } = await remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps);

    expect(actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/already RESOLVED/) });
  });

  it("halts automatic remediation when the circuit breaker opens, but runs approved plans", async () => {
    liveGroup();
    const ledger = new MemoryActionLedger();
    const cfg = config({ remediation: { circuitBreaker: { maxActions: 1, windowMinutes: 10 } } });
    const first = incident("sg-ssh-open-world", sshOpenFacts(), { id: "inc-1" });
    const second = incident("sg-ssh-open-world", sshOpenFacts(), { id: "inc-2" });
    const third = incident("sg-ssh-open-world", sshOpenFacts(), { id: "inc-3" });
    const run = async (work: WorkingIncident, approved: boolean) => {
      const deps = await stored(work, cfg, { ledger });
      const approval = approved
        ? { approval: { decision: "approve" as const, approver: "U1", at: NOW.toISOString() } }
        : {};
      return (await remediate({ incident: work, plan: planRemediation(work, cfg, NOW), ...approval }, deps)).actions[0];
    };

    const outcomes = [await run(first, false), await run(second, false), await run(third, true)];

    expect(outcomes.map((a) => a?.outcome)).toEqual(["applied", "skipped", "applied"]);
    expect(outcomes[1]?.error).toMatch(/circuit breaker open/);
  });

  it("lets throttling that outlasts the retries fail the task as transient", async () => {
    liveGroup();
    aws.ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(
        Object.assign(new Error("slow down"), { name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } }),
      );
    const deps = await stored(sg);

    await expect(remediate({ incident: sg, plan: planRemediation(sg, deps.config, NOW) }, deps)).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});
