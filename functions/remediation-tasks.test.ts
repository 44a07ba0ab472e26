import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { RiposteConfig } from "../core/config/schema.js";
import { InvalidInput } from "../core/errors.js";
import type { AppliedAction } from "../core/model/incident.js";
import { planRemediation } from "../core/remediation/policy.js";
import { config, incident, sshOpenFacts } from "../test/remediation/fixtures.js";
import { taskDeps } from "../test/remediation/harness.js";
import { mockAws } from "../test/remediation/mock-aws.js";
import { remediateTask } from "./remediate.js";
import { verifyTask } from "./verify.js";

/**
 * The remediate and verify tasks as the workflow calls them: validated input, the core call,
 * validated output. The remediation itself is tested in core/remediation/ (moved here from there:
 * core's tests do not import functions/, test/architecture/layers.test.ts).
 */

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const NOW = new Date("2026-03-02T10:05:00Z");
const sg = incident("sg-ssh-open-world", sshOpenFacts());

async function stored(cfg: RiposteConfig, overrides: Parameters<typeof taskDeps>[1] = {}) {
  const deps = taskDeps(cfg, { now: () => NOW, ...overrides });
  await deps.store.createIncident({ ...sg, evidence: [] });
  return deps;
}

function dryRun(): AppliedAction {
  const planned = planRemediation(sg, config())[0];
  if (!planned) throw new Error("no plan");
  return { ...planned, mode: "dry-run", outcome: "dry-run", at: "2026-03-02T10:05:00Z" };
}

describe("remediateTask", () => {
  it("validates its input and names the problem", async () => {
    const handler = remediateTask.create(taskDeps(config()));

    await expect(handler({ incident: { id: "x" }, plan: [] })).rejects.toBeInstanceOf(InvalidInput);
  });

  it("runs a dry-run plan end to end through the task contract", async () => {
    const deps = await stored(config(), { mode: "dry-run" });

    const output = await remediateTask.create(deps)({ incident: sg, plan: planRemediation(sg, deps.config, NOW) });

    expect(output.actions.map((a) => a.outcome)).toEqual(["dry-run"]);
  });
});

describe("verifyTask", () => {
  it("is exposed as the verify task with its schemas", async () => {
    const deps = await stored(config({ remediation: { verify: { attempts: 3, delaySeconds: 2 } } }));

    const output = await verifyTask.create(deps)({ incident: sg, actions: [dryRun()] });

    expect(output.verified).toBe(true);
  });
});
