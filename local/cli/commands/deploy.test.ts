import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../core/config/load.js";
import type { DeploymentPlan } from "../../../infra/plan.js";
import { ACCOUNT_PLACEHOLDER, deployTime } from "../../../infra/plan-arns.js";
import { deployedRules } from "../../../infra/rules.js";
import { invokedFunctions } from "../../../infra/workflows.js";
import { main } from "../main.js";

const dir = mkdtempSync(join(tmpdir(), "riposte-deploy-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function riposte(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const code = await main(args, { stdout, stderr, env, cwd: dir });
  return { code, out, err };
}

async function jsonPlan(...args: string[]): Promise<DeploymentPlan> {
  const { code, out, err } = await riposte(["deploy", "plan", "--format", "json", "--region", "us-east-1", ...args]);
  expect(code, err).toBe(0);
  return JSON.parse(out) as DeploymentPlan;
}

const LIVE = { remediation: { mode: "live" } };
const ORG = {
  remediation: { mode: "live" },
  aws: {
    organization: {
      id: "o-a1b2c3d4e5",
      memberRole: { name: "riposte-member-remediation", externalId: "riposte-external-id-1" },
    },
  },
};

describe("riposte deploy plan", () => {
  it("lists the default stage's functions, each with a role named for the stage and region", async () => {
    const plan = await jsonPlan("--stage", "audit");

    expect(plan.functions.map((fn) => fn.logicalName)).toContain("Remediate");
    // Dry-run: nothing to sweep, and remediation may change nothing outside Riposte.
    expect(plan.functions.map((fn) => fn.logicalName)).not.toContain("SweepExpiredChanges");
    const remediate = plan.functions.find((fn) => fn.logicalName === "Remediate")!;
    expect(remediate.role.name).toBe("riposte-audit-us-east-1-Remediate");
    expect(remediate.role.policy.Statement.map((s) => s.Sid)).toEqual(["ReadStore", "WriteStore"]);
  });

  it("shows the live stage's remediation grants, the self-protection Deny and the sweep", async () => {
    const plan = await jsonPlan("--stage", "prod", "--config", configFile("live.json", LIVE));

    expect(plan.protectedStage).toBe(true);
    expect(plan.functions.map((fn) => fn.logicalName)).toContain("SweepExpiredChanges");
    const statements = plan.functions.find((fn) => fn.logicalName === "Remediate")!.role.policy.Statement;
    expect(statements.find((s) => s.Sid === "Remediate")?.Action).toContain("ec2:RevokeSecurityGroupIngress");
    expect(statements.find((s) => s.Sid === "NeverChangeRiposteIdentities")).toMatchObject({
      Effect: "Deny",
      Resource: ["arn:aws:iam::*:role/riposte-*", "arn:aws:iam::*:user/riposte-*", "arn:aws:iam::*:group/riposte-*"],
    });
  });

  it("has one rule per deployed detection, each starting a planned state machine or queuing candidates", async () => {
    const plan = await jsonPlan("--stage", "audit");

    expect(plan.rules.map((rule) => rule.detection)).toEqual(deployedRules(parseConfig({})).map((r) => r.detection));
    const machines = plan.stateMachines.map((machine) => machine.arn);
    for (const rule of plan.rules) {
      expect(rule.name.startsWith("audit-riposte-")).toBe(true);
      if (rule.target.kind === "workflow") expect(machines).toContain(rule.target.arn);
      else expect(rule.target.queue).toBe("Candidates");
    }
  });

  it("gives each state machine its ASL with the task functions the workflow role may invoke", async () => {
    const plan = await jsonPlan("--stage", "audit");

    const invokable = plan.serviceRoles
      .find((role) => role.name === "riposte-audit-us-east-1-Workflows")!
      .policy.Statement.find((s) => s.Sid === "InvokeTaskFunctions")!.Resource;
    for (const machine of plan.stateMachines) {
      const invoked = invokedFunctions(machine.definition as never);
      expect(invoked.length, machine.name).toBeGreaterThan(0);
      for (const arn of invoked) expect(invokable).toContain(arn);
      expect(JSON.stringify(machine.definition)).not.toMatch(/\$\{[A-Za-z]+Function\}/);
    }
  });

  it("prints what only the deployment knows as placeholders, and says so in --help", async () => {
    const plan = await jsonPlan("--stage", "audit");
    const help = await riposte(["deploy", "--help"]);

    expect(plan.account).toBe(ACCOUNT_PLACEHOLDER);
    expect(plan.stateMachines[0]!.arn).toBe(
      `arn:aws:states:us-east-1:${ACCOUNT_PLACEHOLDER}:stateMachine:audit-riposte-identity`,
    );
    expect(plan.queues.map((queue) => queue.logicalName)).toEqual([
      "CorrelateDeadLetters",
      "Candidates",
      "SlackFollowUps",
      "UndeliveredEvents",
    ]);
    expect(plan.alarms.map((alarm) => alarm.logicalName)).toContain("UndeliveredEventsAlarm");
    expect(help.code).toBe(0);
    expect(help.out).toContain(ACCOUNT_PLACEHOLDER);
    expect(help.out).toContain(deployTime("IncidentTable.name"));
  });

  it("shows the org bus, its rules and the member role's trust policy with the external id", async () => {
    const plan = await jsonPlan("--stage", "audit", "--config", configFile("org.json", ORG));

    const onBus = plan.rules.filter((rule) => rule.bus === "audit-riposte-organization");
    expect(onBus.length).toBe(plan.rules.length / 2);
    expect(plan.organization?.memberRole?.trustPolicy).toMatchObject({
      Statement: [
        {
          Principal: {
            AWS: [
              `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/riposte-audit-us-east-1-Remediate`,
              `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/riposte-audit-us-east-1-Verify`,
              `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/riposte-audit-us-east-1-SweepExpiredChanges`,
            ],
          },
          Condition: { StringEquals: { "sts:ExternalId": "riposte-external-id-1" } },
        },
      ],
    });
  });

  it("reads riposte.config.<stage>.json the way the deploy does, and prints a table", async () => {
    writeFileSync(join(dir, "riposte.config.staging.json"), JSON.stringify(LIVE));

    const { code, out } = await riposte(["deploy", "plan", "--stage", "staging"], { AWS_REGION: "us-east-1" });

    expect(code).toBe(0);
    expect(out).toContain("riposte.config.staging.json; remediation mode live");
    expect(out).toContain("role riposte-staging-us-east-1-Remediate");
    expect(out).toContain("Deny NeverChangeRiposteIdentities");
  });

  it("exits 1 naming aws.watchRegions when the deploy would stop outside us-east-1", async () => {
    const { code, err } = await riposte(["deploy", "plan", "--region", "eu-west-1", "--stage", "audit"]);

    expect(code).toBe(1);
    expect(err).toContain("aws.watchRegions must include us-east-1");
  });

  it("exits 1 when aws.watchRegions lists the home region, as the deploy refuses it", async () => {
    const config = configFile("home.json", { aws: { watchRegions: ["us-east-1"] } });

    const { code, err } = await riposte(["deploy", "plan", "--region", "us-east-1", "--config", config]);

    expect(code).toBe(1);
    expect(err).toContain("aws.watchRegions lists us-east-1, the region Riposte is deployed to: remove it");
  });

  it.each([
    [["deploy"], "missing subcommand"],
    [["deploy", "apply"], 'unknown subcommand "apply"'],
    [["deploy", "plan"], "--region is required"],
    [["deploy", "plan", "--region", "mars-1"], '--region: "mars-1"'],
    [["deploy", "plan", "--region", "us-east-1", "--format", "yaml"], "--format: expected json or table"],
    [["deploy", "plan", "--region", "us-east-1", "--config", "missing.json"], "missing.json"],
  ])("exits 2 for %j, saying %s", async (argv, message) => {
    const { code, err } = await riposte(argv);

    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
