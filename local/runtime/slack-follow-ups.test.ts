import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestApproval } from "../../core/approval/request.js";
import { handleSlackInteraction } from "../../core/interaction/interaction.js";
import { createLogger } from "../../core/log.js";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../../test/support/fake-slack.js";
import { backgroundSlackFollowUps } from "./slack-follow-ups.js";

const SECRET = "signing-secret-for-the-local-follow-ups";
const APPROVER = "U0APPROVER";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

async function setup() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "debug", sink: (line) => lines.push(JSON.parse(line)) });
  const deps = makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } }, approval: { slackApprovers: [APPROVER] } },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl, slackSigningSecret: SECRET } },
  });
  const decision = { route: "approval" as const, reason: "needs approval", plan: [] };
  const incident = makeIncident({ status: "TRIAGED", decision });
  await deps.store.createIncident(incident);
  const { approvalId } = await requestApproval({ incident, decision, taskToken: "tok" }, deps);
  const ref = (await deps.store.getIncident(incident.id))?.notifications?.slack;
  const click = interaction({
    signingSecret: SECRET,
    timestamp: Math.floor(deps.now().getTime() / 1000),
    payload: buttonClick({ userId: APPROVER, actionId: "riposte.approve", value: approvalId }),
  });
  return { deps, click, ref, lines, followUps: backgroundSlackFollowUps(deps, logger) };
}

describe("Slack follow-ups on one machine", () => {
  it("answers the click while Slack is held, then updates the message in the background", async () => {
    const { deps, click, ref, followUps } = await setup();
    const release = slack.hold();

    const response = await handleSlackInteraction(click, deps, followUps.send);
    const shownBeforeRelease = JSON.stringify(slack.message(ref?.channel ?? "", ref?.ts ?? "")?.blocks);
    release();
    await followUps.drain();

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(1);
    expect(shownBeforeRelease).not.toContain(`Approved by <@${APPROVER}>`);
    expect(JSON.stringify(slack.message(ref?.channel ?? "", ref?.ts ?? "")?.blocks)).toContain(
      `Approved by <@${APPROVER}>`,
    );
  });

  it("logs a follow-up that failed, and the decision stands", async () => {
    const { deps, click, lines, followUps } = await setup();
    slack.fail("chat.update", { times: 1 });

    const response = await handleSlackInteraction(click, deps, followUps.send);
    await followUps.drain();

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "Slack follow-up failed", type: "announce" }),
    );
  });
});
