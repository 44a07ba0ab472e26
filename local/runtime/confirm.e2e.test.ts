import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../../test/support/fake-slack.js";
import { type Runtime, startRuntime } from "./runtime.js";

/**
 * "Was this you?" end to end on one machine, with Slack played by the fake Slack API
 * (`SLACK_API_URL`): SSH opened to the world by alice, who is mapped to a Slack user by the
 * table; she is DMed Yes / No; her signed click answers through `POST /slack/interactions`.
 * No: on-call is paged (a broadcast escalation) and the change is remediated. Yes: her answer is
 * audited and the workflow waits to revert it N hours later.
 */

const TOKEN = "confirm-e2e-dashboard-token-0123";
const INTAKE_TOKEN = "confirm-e2e-intake-token-4567";
const SIGNING_SECRET = "confirm-e2e-signing-secret-89ab";
const ACTOR = "U0ALICE";
const DM = "D0ALICE";
const RECORDS = SCENARIOS.find((s) => s.detection === "sg-ssh-open-world" && s.name === "tcp/22 from 0.0.0.0/0")
  ?.records as Record<string, unknown>[];
const PRINCIPAL = String((RECORDS[0]?.userIdentity as { arn?: string } | undefined)?.arn);

let slack: FakeSlack;
let runtime: Runtime | undefined;
let dir: string;
beforeEach(async () => {
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "riposte-confirm-e2e-"));
});
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<Runtime> {
  runtime = await startRuntime({
    host: "127.0.0.1",
    port: 0,
    dataDir: dir,
    config: parseConfig({
      notify: { slack: { channel: "#security", retries: 0 } },
      // The suite posts its events to the intake: trusted here, as a deployment may choose.
      remediation: { autoRemediateIntake: true },
      confirmation: { detections: ["sg-ssh-open-world"], keepHoursMax: 2, actors: { table: { [PRINCIPAL]: ACTOR } } },
      runtime: { jobsSeconds: 1 },
    }),
    demo: false,
    token: TOKEN,
    env: {
      RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    logger: silentLogger,
  });
  return runtime;
}

const post = (target: Runtime) =>
  fetch(`${target.url}/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      Records: RECORDS.map((record) => ({
        ...record,
        eventTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      })),
    }),
  });

/** The DM's buttons, once it is there. */
async function askedButtons(): Promise<{ channel: string; ts: string; value: string }> {
  await expect.poll(() => slack.messages.some((message) => message.channel === DM), { timeout: 20_000 }).toBe(true);
  const dm = slack.messages.find((message) => message.channel === DM);
  const text = JSON.stringify(dm?.blocks);
  expect(text).toContain("Was this you?");
  expect(text).toContain("Yes, keep it for 2 h");
  const value = /"value":"(conf-[0-9a-f-]+)"/.exec(text)?.[1] ?? "";
  return { channel: dm?.channel ?? "", ts: dm?.ts ?? "", value };
}

async function click(target: Runtime, userId: string, actionId: string, value: string, ts: string) {
  const request = interaction({
    signingSecret: SIGNING_SECRET,
    timestamp: Math.floor(Date.now() / 1000),
    payload: buttonClick({ userId, actionId, value, channel: DM, messageTs: ts }),
  });
  return fetch(`${target.url}/slack/interactions`, { method: "POST", ...request });
}

async function theIncident(target: Runtime) {
  const page = await target.store.listIncidents({ limit: 5 });
  const id = page.items.find((item) => item.detection === "sg-ssh-open-world")?.id;
  return id ? target.store.getIncident(id) : undefined;
}

describe("was this you?, end to end on one machine", () => {
  it("No: on-call is paged and the change is remediated; only the actor's click counted", async () => {
    const target = await serve();
    expect((await post(target)).status).toBe(202);
    const { value, ts } = await askedButtons();

    expect((await click(target, "U0MALLORY", "riposte.confirm.no", value, ts)).status).toBe(200);
    expect((await click(target, ACTOR, "riposte.confirm.no", value, ts)).status).toBe(200);
    await expect.poll(async () => (await theIncident(target))?.status, { timeout: 20_000 }).toBe("MITIGATED");
    const incident = await theIncident(target);
    const audit = await target.store.listAudit(incident?.id ?? "");

    expect(incident?.actions.length).toBeGreaterThan(0);
    const escalation = slack.messages.find((message) => message.replyBroadcast);
    expect(JSON.stringify(escalation?.blocks)).toContain("NotTheActor");
    expect(audit.filter((entry) => entry.action.startsWith("confirmation.")).map((e) => [e.action, e.actor])).toEqual([
      ["confirmation.requested", "confirmation"],
      ["confirmation.refused", "U0MALLORY"],
      ["confirmation.answered", ACTOR],
    ]);
  }, 45_000);

  it("Yes: the confirmation is audited and the revert is scheduled for N hours after the answer", async () => {
    const target = await serve();
    expect((await post(target)).status).toBe(202);
    const { value, ts } = await askedButtons();
    const before = Date.now();
    expect((await click(target, ACTOR, "riposte.confirm.yes", value, ts)).status).toBe(200);
    const after = Date.now();

    // The revert is scheduled: the execution waits in the Wait state whose Timestamp is the
    // answer's time plus keepHours (the exact instant is checked in test/workflows/confirm.test.ts).
    await expect
      .poll(
        async () => {
          const incident = await theIncident(target);
          if (!incident?.executionArn) return false;
          const history = await target.workflows.interpreter.getExecutionHistory(incident.executionArn);
          const entered = history.findLast((event) => event.type === "WaitStateEntered");
          return (
            entered?.stateEnteredEventDetails?.name === "Keep the change until the revert time" &&
            !history.some((event) => event.type === "WaitStateExited")
          );
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const incident = await theIncident(target);
    const audit = await target.store.listAudit(incident?.id ?? "");
    const answered = audit.find((entry) => entry.action === "confirmation.answered");

    expect(answered).toMatchObject({ actor: ACTOR, detail: { answer: "yes", via: "slack", confirmationId: value } });
    expect(Date.parse(answered?.at ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(answered?.at ?? "")).toBeLessThanOrEqual(after + 1000);
    // Kept for now: nothing remediated, nobody paged, the execution waiting.
    expect(incident?.actions).toEqual([]);
    expect(slack.messages.some((message) => message.replyBroadcast)).toBe(false);
    expect((await target.workflows.interpreter.describeExecution(incident?.executionArn ?? "")).status).toBe("RUNNING");
  }, 45_000);
});
