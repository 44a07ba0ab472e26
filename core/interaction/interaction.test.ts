import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../../test/support/fake-slack.js";
import { runSlackFollowUp, type SlackFollowUp } from "../approval/follow-up.js";
import { requestApproval } from "../approval/request.js";
import { signSlackRequest } from "../approval/signature.js";
import type { Decision } from "../model/incident.js";
import { handleSlackInteraction as handleWith, type SlackHttpRequest } from "./interaction.js";

const SIGNING_SECRET = "riposte-test-signing-secret-0123456789";
const APPROVER = "U0APPROVER";
const TOKEN = "task-token-never-sent-to-slack";

const decision: Decision = {
  route: "approval",
  reason: "key deactivation needs approval",
  plan: [
    {
      action: "iam-deactivate-access-key",
      target: "AKIAEXAMPLE",
      description: "Deactivate access key AKIAEXAMPLE of alice",
      destructive: true,
      calls: [],
      permissions: ["iam:UpdateAccessKey"],
    },
  ],
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

async function setup(secrets: { slackSigningSecret?: string } = { slackSigningSecret: SIGNING_SECRET }) {
  const deps = makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } }, approval: { slackApprovers: [APPROVER] } },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl, ...secrets } },
  });
  const incident = makeIncident({ status: "TRIAGED", decision });
  await deps.store.createIncident(incident);
  const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, deps);
  const main = slack.messages.find((message) => message.threadTs === undefined);
  const now = Math.floor(deps.now().getTime() / 1000);
  const click = (userId: string, actionId = "riposte.approve", value = approvalId, timestamp = now) =>
    interaction({
      signingSecret: SIGNING_SECRET,
      timestamp,
      payload: buttonClick({ userId, actionId, value, channel: main?.channel, messageTs: main?.ts }),
    });
  return { deps, incident, approvalId, click, now, main };
}

/** Follow-ups queued by the handler, run once it has answered (as the SlackFollowUp function does). */
const queued: SlackFollowUp[] = [];
afterEach(() => {
  queued.length = 0;
});
async function handleSlackInteraction(request: SlackHttpRequest, deps: ReturnType<typeof makeDeps>) {
  const response = await handleWith(request, deps, async (followUp) => {
    queued.push(followUp);
  });
  for (const followUp of queued.splice(0)) await runSlackFollowUp(followUp, deps);
  return response;
}

const ephemerals = () => slack.callsTo("chat.postEphemeral").map((call) => String(call.args.text));

describe("handleSlackInteraction", () => {
  it("approves for a configured approver and shows who decided", async () => {
    const { deps, click, approvalId, main } = await setup();

    const response = await handleSlackInteraction(click(APPROVER), deps);

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toEqual([
      { token: TOKEN, output: { decision: "approve", approver: APPROVER, at: deps.now().toISOString() } },
    ]);
    expect((await deps.store.getApproval(approvalId))?.status).toBe("approved");
    expect(JSON.stringify(slack.message(main?.channel ?? "", main?.ts ?? "")?.blocks)).toContain(
      `Approved by <@${APPROVER}>`,
    );
  });

  it("rejects with the Reject button", async () => {
    const { deps, click } = await setup();

    await handleSlackInteraction(click(APPROVER, "riposte.reject"), deps);

    expect(deps.callbacks.successes[0]?.output).toMatchObject({ decision: "reject", approver: APPROVER });
  });

  it("answers a second click politely and changes nothing", async () => {
    const { deps, click } = await setup();
    const request = click(APPROVER);
    await handleSlackInteraction(request, deps);

    const replay = await handleSlackInteraction(request, deps);
    const other = await handleSlackInteraction(click(APPROVER, "riposte.reject"), deps);

    expect([replay.status, other.status]).toEqual([200, 200]);
    expect(deps.callbacks.successes).toHaveLength(1);
    expect(ephemerals()).toEqual([
      expect.stringMatching(
        new RegExp(`^This was already approved by <@${APPROVER}> <!date\\^\\d+\\^.*Nothing was changed\\.$`),
      ),
      expect.stringContaining("already approved"),
    ]);
  });

  it("tells a click on a decision saved before a crash that it is being carried out", async () => {
    const { deps, click, approvalId } = await setup();
    const at = deps.now().toISOString();
    await deps.store.decideApproval(
      approvalId,
      "approved",
      { decision: "approve", approver: APPROVER, at },
      { resume: true, via: "slack" },
    );

    const response = await handleSlackInteraction(click(APPROVER), deps);

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toEqual([]);
    expect(ephemerals()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^This was already approved by <@${APPROVER}> <!date.*; Riposte is carrying out that decision now\\.$`,
        ),
      ),
    ]);
  });

  it("refuses a user who is not an approver, tells them, and audits it", async () => {
    const { deps, click, approvalId, incident } = await setup();

    const response = await handleSlackInteraction(click("U0MALLORY"), deps);

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(0);
    expect((await deps.store.getApproval(approvalId))?.status).toBe("pending");
    expect(ephemerals()).toEqual([expect.stringContaining("not on Riposte's approver list")]);
    expect(slack.callsTo("chat.postEphemeral")[0]?.args.user).toBe("U0MALLORY");
    expect((await deps.store.listAudit(incident.id)).at(-1)).toMatchObject({
      action: "approval.refused",
      actor: "U0MALLORY",
    });
  });

  it("refuses a stale request (captured and replayed after five minutes)", async () => {
    const { deps, click, now } = await setup();

    const response = await handleSlackInteraction(click(APPROVER, "riposte.approve", undefined, now - 301), deps);

    expect(response).toMatchObject({ status: 401, body: "invalid request signature" });
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("refuses a tampered request (the clicking user changed after signing)", async () => {
    const { deps, click } = await setup();
    const signed = click("U0MALLORY");
    const tampered = { ...signed, body: signed.body.replace("U0MALLORY", APPROVER) };

    const response = await handleSlackInteraction(tampered, deps);

    expect(response.status).toBe(401);
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("refuses a request signed with another secret or not signed at all", async () => {
    const { deps, click } = await setup();
    const signed = click(APPROVER);
    const forged = interaction({
      signingSecret: "guess",
      timestamp: Number(signed.headers["x-slack-request-timestamp"]),
      payload: {},
    });

    const wrongKey = await handleSlackInteraction({ headers: forged.headers, body: signed.body }, deps);
    const unsigned = await handleSlackInteraction({ headers: {}, body: signed.body }, deps);

    expect([wrongKey.status, unsigned.status]).toEqual([401, 401]);
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("reads the signature headers case-insensitively", async () => {
    const { deps, click } = await setup();
    const signed = click(APPROVER);
    const headers = Object.fromEntries(
      Object.entries(signed.headers).map(([key, value]) => [key.toUpperCase(), value]),
    );

    const response = await handleSlackInteraction({ headers, body: signed.body }, deps);

    expect(response.status).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(1);
  });

  it("is unavailable without a signing secret", async () => {
    const { deps, click } = await setup({});

    const response = await handleSlackInteraction(click(APPROVER), deps);

    expect(response.status).toBe(503);
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("says so when the approval no longer exists", async () => {
    const { deps, click } = await setup();

    const response = await handleSlackInteraction(
      click(APPROVER, "riposte.approve", "appr-00000000-0000-0000-0000-000000000000"),
      deps,
    );

    expect(response.status).toBe(200);
    expect(ephemerals()).toEqual([expect.stringContaining("no longer exists")]);
  });

  it("ignores other interactions and refuses malformed ones", async () => {
    const { deps, now } = await setup();
    const shortcut = interaction({
      signingSecret: SIGNING_SECRET,
      timestamp: now,
      payload: { type: "shortcut", callback_id: "x" },
    });
    const otherButton = interaction({
      signingSecret: SIGNING_SECRET,
      timestamp: now,
      payload: buttonClick({ userId: APPROVER, actionId: "something.else", value: "x" }),
    });
    const badBody = "payload=%7Bnot-json";
    const malformed = {
      headers: interaction({ signingSecret: SIGNING_SECRET, timestamp: now, payload: {} }).headers,
      body: badBody,
    };
    malformed.headers["x-slack-signature"] = signSlackRequest(SIGNING_SECRET, now, badBody);

    expect((await handleSlackInteraction(shortcut, deps)).status).toBe(200);
    expect((await handleSlackInteraction(otherButton, deps)).status).toBe(200);
    expect((await handleSlackInteraction(malformed, deps)).status).toBe(400);
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("answers before any Slack Web API call, with Slack held unanswered; the follow-up updates the message", async () => {
    const { deps, click, approvalId, main } = await setup();
    const before = slack.calls.length;
    const running: Promise<void>[] = [];
    const release = slack.hold();

    // A follow-up starts at once (as on one machine), so Slack has the update in hand, held.
    const response = await handleWith(click(APPROVER), deps, async (followUp) => {
      running.push(runSlackFollowUp(followUp, deps));
    });
    const answeredBeforeSlack = slack.calls.length === before;
    release();
    await Promise.all(running);

    expect(response.status).toBe(200);
    expect(answeredBeforeSlack).toBe(true);
    expect(deps.callbacks.successes).toHaveLength(1);
    expect((await deps.store.getApproval(approvalId))?.status).toBe("approved");
    expect(JSON.stringify(slack.message(main?.channel ?? "", main?.ts ?? "")?.blocks)).toContain(
      `Approved by <@${APPROVER}>`,
    );
    expect(slack.replies(main?.channel ?? "", main?.ts ?? "").map((reply) => reply.text)).toContain(
      `Riposte: approved (${(await deps.store.getApproval(approvalId))?.incidentId})`,
    );
  });

  it("hands every Slack call to follow-ups: the decision, then who decided; a refusal, then the ephemeral", async () => {
    const { deps, click, approvalId, incident } = await setup();
    const before = slack.calls.length;
    const handed: SlackFollowUp[] = [];
    const handTo = async (followUp: SlackFollowUp) => {
      handed.push(followUp);
    };

    await handleWith(click(APPROVER), deps, handTo);
    await handleWith(click("U0MALLORY", "riposte.reject"), deps, handTo);

    expect(slack.calls.length).toBe(before);
    expect(handed).toEqual([
      {
        type: "announce",
        incidentId: incident.id,
        record: { id: approvalId, decision: "approve", approver: APPROVER, at: deps.now().toISOString(), via: "slack" },
      },
      expect.objectContaining({ type: "ephemeral", user: "U0MALLORY", text: expect.stringContaining("approver list") }),
    ]);
  });

  it("still answers 200 with the decision made when the follow-up cannot be handed over", async () => {
    const { deps, click, approvalId } = await setup();

    const response = await handleWith(click(APPROVER), deps, () => Promise.reject(new Error("queue unavailable")));

    expect(response.status).toBe(200);
    expect((await deps.store.getApproval(approvalId))?.status).toBe("approved");
    expect(deps.callbacks.successes).toHaveLength(1);
  });
});

describe("handleSlackInteraction: Snooze 24 h / Allow for 7 days", () => {
  async function exceptionSetup(config: { maxDays?: number } = {}) {
    const { deps, incident, click, main } = await setup();
    if (config.maxDays !== undefined) deps.config.exceptions.maxDays = config.maxDays;
    const press = (userId: string, actionId: string, value = incident.id) => click(userId, actionId, value);
    return { deps, incident, press, main };
  }
  const hours = (from: Date, iso: string | undefined) => (Date.parse(iso ?? "") - from.getTime()) / 3600_000;

  it("shows both buttons on the incident message, carrying the incident id", async () => {
    const { incident, main } = await exceptionSetup();

    const block = (
      (main?.blocks ?? []) as { block_id?: string; elements?: { action_id: string; value: string }[] }[]
    ).find((item) => item.block_id === "riposte.exception");

    expect(block?.elements?.map((element) => [element.action_id, element.value])).toEqual([
      ["riposte.exception.snooze", incident.id],
      ["riposte.exception.allow", incident.id],
    ]);
  });

  it("creates an exception for the incident's principal from an approver's click, once, and audits it", async () => {
    const { deps, incident, press } = await exceptionSetup();

    const first = await handleSlackInteraction(press(APPROVER, "riposte.exception.snooze"), deps);
    const again = await handleSlackInteraction(press(APPROVER, "riposte.exception.snooze"), deps);
    const exceptions = await deps.store.listExceptions();
    const audit = await deps.store.listAudit(incident.id);
    const own = await deps.store.listAudit(`exception:${exceptions[0]?.id}`);

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({
      detection: incident.detection,
      scope: { kind: "principal", value: incident.principal },
      owner: APPROVER,
      createdBy: `slack:${APPROVER}`,
      source: "slack",
      incidentId: incident.id,
    });
    expect(hours(deps.now(), exceptions[0]?.expiresAt)).toBe(24);
    expect(audit.map((entry) => entry.action)).toContain("exception.created");
    expect(own.map((entry) => [entry.action, entry.actor])).toEqual([["exception.created", APPROVER]]);
    expect(ephemerals()).toEqual([
      expect.stringMatching(/^Created exception `slk-[0-9a-f]{32}`/),
      expect.stringMatching(/^You already created exception/),
    ]);
  });

  it("allows for 7 days, capped at exceptions.maxDays", async () => {
    const { deps, press } = await exceptionSetup({ maxDays: 3 });

    await handleSlackInteraction(press(APPROVER, "riposte.exception.allow"), deps);

    expect(hours(deps.now(), (await deps.store.listExceptions())[0]?.expiresAt)).toBe(72);
  });

  it("refuses a user who is not an approver, and says so", async () => {
    const { deps, incident, press } = await exceptionSetup();

    const response = await handleSlackInteraction(press("U0STRANGER", "riposte.exception.allow"), deps);

    expect(response.status).toBe(200);
    expect(await deps.store.listExceptions()).toEqual([]);
    expect((await deps.store.listAudit(incident.id)).at(-1)).toMatchObject({
      action: "exception.refused",
      actor: "U0STRANGER",
    });
    expect(ephemerals()).toEqual([expect.stringContaining("not on Riposte's approver list")]);
  });

  it("refuses an unsigned or wrongly signed click before reading it", async () => {
    const { deps, press } = await exceptionSetup();
    const signed = press(APPROVER, "riposte.exception.snooze");
    const unsigned = { ...signed, headers: { "content-type": "application/x-www-form-urlencoded" } };
    const forged = {
      ...signed,
      headers: {
        ...signed.headers,
        "x-slack-signature": signSlackRequest(
          "another-secret",
          signed.headers["x-slack-request-timestamp"] ?? "",
          signed.body,
        ),
      },
    };

    const responses = [await handleSlackInteraction(unsigned, deps), await handleSlackInteraction(forged, deps)];

    expect(responses.map((response) => response.status)).toEqual([401, 401]);
    expect(await deps.store.listExceptions()).toEqual([]);
  });

  it("refuses a value that is no incident id", async () => {
    const { deps, press } = await exceptionSetup();

    const response = await handleSlackInteraction(press(APPROVER, "riposte.exception.snooze", "../x y"), deps);

    expect(response.status).toBe(400);
    expect(await deps.store.listExceptions()).toEqual([]);
  });
});
