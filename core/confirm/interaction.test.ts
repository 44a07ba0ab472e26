import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../../test/support/fake-slack.js";
import { runSlackFollowUp, type SlackFollowUp } from "../approval/follow-up.js";
import { signSlackRequest } from "../approval/signature.js";
import { handleSlackInteraction as handleWith, type SlackHttpRequest } from "../interaction/interaction.js";
import type { Decision } from "../model/incident.js";
import { askActor, CONFIRM_NO_ACTION_ID, CONFIRM_YES_ACTION_ID } from "./ask.js";

/**
 * "Was this you?" buttons through `POST /slack/interactions`: the same signature checks as the
 * approval buttons, single use, and only the Slack user who was asked may answer (approvers
 * included: it is the actor's question, not an approval).
 */

const SIGNING_SECRET = "riposte-confirm-signing-secret-0123456789";
const ACTOR = "U0ALICE";
const APPROVER = "U0APPROVER";
const TOKEN = "confirm-task-token-never-sent-to-slack";
const DM = "D0ALICE";

const decision: Decision = {
  route: "auto",
  reason: "score 80 reaches 70",
  plan: [
    {
      action: "sg-revoke-ingress",
      target: "sg-0a1b2c3d",
      description: "Revoke tcp/22 from 0.0.0.0/0 on sg-0a1b2c3d",
      destructive: false,
      calls: [],
      permissions: ["ec2:RevokeSecurityGroupIngress"],
    },
  ],
  confirmation: { timeoutSeconds: 1800, keepHours: 4 },
};

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
afterEach(() => {
  slack.calls.length = 0;
  slack.messages.length = 0;
});

async function setup() {
  const deps = makeDeps({
    config: {
      notify: { slack: { channel: "#security", retries: 0 } },
      approval: { slackApprovers: [APPROVER] },
      confirmation: {
        detections: ["sg-ssh-open-world"],
        actors: { table: { "arn:aws:iam::123456789012:user/alice": ACTOR } },
      },
    },
    overrides: {
      secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl, slackSigningSecret: SIGNING_SECRET },
    },
  });
  const incident = makeIncident({ status: "TRIAGED", decision });
  await deps.store.createIncident(incident);
  const { confirmationId } = await askActor({ incident, decision, taskToken: TOKEN }, deps);
  const now = Math.floor(deps.now().getTime() / 1000);
  const click = (userId: string, actionId = CONFIRM_NO_ACTION_ID, timestamp = now) =>
    interaction({
      signingSecret: SIGNING_SECRET,
      timestamp,
      payload: buttonClick({ userId, actionId, value: confirmationId, channel: DM, messageTs: "1700000000.000001" }),
    });
  return { deps, incident, confirmationId, click, now };
}

const queued: SlackFollowUp[] = [];
async function handle(request: SlackHttpRequest, deps: ReturnType<typeof makeDeps>) {
  const response = await handleWith(request, deps, async (followUp) => {
    queued.push(followUp);
  });
  for (const followUp of queued.splice(0)) await runSlackFollowUp(followUp, deps);
  return response;
}
const ephemerals = () => slack.callsTo("chat.postEphemeral").map((call) => String(call.args.text));

describe("was this you? from Slack", () => {
  it("DMs the actor, never showing the task token", async () => {
    const { confirmationId } = await setup();
    const dm = slack.messages.find((message) => message.channel === DM);
    expect(dm).toBeDefined();
    expect(JSON.stringify(slack.calls)).not.toContain(TOKEN);
    expect(JSON.stringify(dm?.blocks)).toContain(confirmationId);
  });

  it("the actor's signed No resumes the workflow with a reject naming the actor, audited", async () => {
    const { deps, click, incident, confirmationId } = await setup();
    const response = await handle(click(ACTOR), deps);
    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toEqual([
      { token: TOKEN, output: expect.objectContaining({ decision: "reject", approver: ACTOR }) },
    ]);
    const audit = await deps.store.listAudit(incident.id);
    expect(audit.find((entry) => entry.action === "confirmation.answered")).toMatchObject({
      actor: ACTOR,
      detail: { confirmationId, answer: "no", via: "slack" },
    });
    expect(ephemerals().at(-1)).toContain("on-call has been paged");
    // Not an approval: the incident lists no approval decision.
    expect((await deps.store.getIncident(incident.id))?.approvals).toEqual([]);
  });

  it("refuses an unsigned click, a wrongly signed one and a stale one, changing nothing", async () => {
    const { deps, click, now } = await setup();
    const signed = click(ACTOR);
    const unsigned = { headers: { "x-slack-request-timestamp": String(now) }, body: signed.body };
    const forged = {
      headers: { ...signed.headers, "x-slack-signature": signSlackRequest("not-the-secret", now, signed.body) },
      body: signed.body,
    };
    // The No click's signature on a Yes body: the answer was changed in transit.
    const tampered = { headers: signed.headers, body: click(ACTOR, CONFIRM_YES_ACTION_ID).body };
    for (const request of [unsigned, forged, tampered, click(ACTOR, CONFIRM_NO_ACTION_ID, now - 600)]) {
      expect((await handle(request, deps)).status).toBe(401);
    }
    expect(deps.callbacks.successes).toEqual([]);
  });

  it("counts only the asked actor's click: another user, even an approver, is refused and audited", async () => {
    const { deps, click, incident } = await setup();
    for (const user of ["U0MALLORY", APPROVER]) {
      expect((await handle(click(user), deps)).status).toBe(200);
    }
    expect(deps.callbacks.successes).toEqual([]);
    expect(ephemerals()).toEqual([
      expect.stringContaining("Only the person who was asked"),
      expect.stringContaining("Only the person who was asked"),
    ]);
    const refused = (await deps.store.listAudit(incident.id)).filter((e) => e.action === "confirmation.refused");
    expect(refused.map((entry) => entry.actor)).toEqual(["U0MALLORY", APPROVER]);
    // The actor can still answer.
    await handle(click(ACTOR, CONFIRM_YES_ACTION_ID), deps);
    expect(deps.callbacks.successes).toEqual([
      { token: TOKEN, output: expect.objectContaining({ decision: "approve", approver: ACTOR }) },
    ]);
  });

  it("is single use: a reused (replayed) click or the other button changes nothing", async () => {
    const { deps, click } = await setup();
    const yes = click(ACTOR, CONFIRM_YES_ACTION_ID);
    await handle(yes, deps);
    await handle(yes, deps);
    await handle(click(ACTOR, CONFIRM_NO_ACTION_ID), deps);
    expect(deps.callbacks.successes).toHaveLength(1);
    expect(deps.callbacks.successes[0]?.output).toMatchObject({ decision: "approve" });
    expect(ephemerals().slice(1)).toEqual([
      expect.stringContaining("already answered"),
      expect.stringContaining("already answered"),
    ]);
  });

  it("an approval button carrying a confirmation id is not an approval", async () => {
    const { deps, confirmationId, now } = await setup();
    const request = interaction({
      signingSecret: SIGNING_SECRET,
      timestamp: now,
      payload: buttonClick({ userId: APPROVER, actionId: "riposte.approve", value: confirmationId, channel: DM }),
    });
    expect((await handle(request, deps)).status).toBe(200);
    expect(deps.callbacks.successes).toEqual([]);
  });
});
