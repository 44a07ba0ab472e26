import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import type { ExceptionRecord } from "../../core/model/exception.js";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../../test/support/fake-slack.js";
import { type Runtime, startRuntime } from "./runtime.js";

/**
 * Time-boxed exceptions end to end on one machine, with Slack played by the fake Slack API
 * (`SLACK_API_URL`): an incident's message carries "Allow for 7 days"; an approver's signed click
 * creates the exception; the next finding it covers is recorded SUPPRESSED, naming it, without a
 * Slack message; the dashboard API lists it; an expired exception is announced in the channel.
 */

const TOKEN = "exceptions-e2e-dashboard-token-0123";
const INTAKE_TOKEN = "exceptions-e2e-intake-token-4567";
const SIGNING_SECRET = "exceptions-e2e-signing-secret-89ab";
const APPROVER = "U0APPROVER";
const CHANNEL = "#security";
const RECORDS = SCENARIOS.find((s) => s.detection === "sg-ssh-open-world" && s.name === "tcp/22 from 0.0.0.0/0")
  ?.records as Record<string, unknown>[];

let slack: FakeSlack;
let runtime: Runtime | undefined;
let dir: string;
beforeEach(async () => {
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "riposte-exceptions-e2e-"));
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
      notify: { slack: { channel: CHANNEL, retries: 0 } },
      approval: { slackApprovers: [APPROVER] },
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

/** The scenario's records as a new event (its own id), happening now. */
function freshRecords(suffix: string) {
  return RECORDS.map((record) => ({
    ...record,
    eventID: `${String(record.eventID)}-${suffix}`,
    eventTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  }));
}

const post = (target: Runtime, records: unknown[]) =>
  fetch(`${target.url}/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ Records: records }),
  });

async function incidentIn(target: Runtime, statuses: string[], except: string[] = []) {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const page = await target.store.listIncidents({ limit: 20 });
        id = page.items.find(
          (item) =>
            item.detection === "sg-ssh-open-world" && statuses.includes(item.status) && !except.includes(item.id),
        )?.id;
        return id !== undefined;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return (await target.store.getIncident(id as string))!;
}

const topLevel = () => slack.messages.filter((message) => message.threadTs === undefined);

describe("time-boxed exceptions, end to end on one machine", () => {
  it("an approver's Allow for 7 days suppresses the next finding, which is recorded without a message", async () => {
    const target = await serve();
    expect((await post(target, freshRecords("first"))).status).toBe(202);
    const first = await incidentIn(target, ["AWAITING_APPROVAL", "NOTIFIED", "MITIGATED", "FAILED"]);
    const message = topLevel().find((item) => JSON.stringify(item.blocks).includes(first.id));
    expect(JSON.stringify(message?.blocks)).toContain("riposte.exception.allow");

    const click = interaction({
      signingSecret: SIGNING_SECRET,
      timestamp: Math.floor(Date.now() / 1000),
      payload: buttonClick({
        userId: APPROVER,
        actionId: "riposte.exception.allow",
        value: first.id,
        channel: message?.channel,
        messageTs: message?.ts,
      }),
    });
    const answer = await fetch(`${target.url}/slack/interactions`, { method: "POST", ...click });
    const messagesBefore = topLevel().length;
    expect((await post(target, freshRecords("second"))).status).toBe(202);
    const second = await incidentIn(target, ["SUPPRESSED"], [first.id]);
    const listed = await fetch(`${target.url}/api/exceptions`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { items } = (await listed.json()) as { items: ExceptionRecord[] };

    expect(answer.status).toBe(200);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      scope: { kind: "principal", value: first.principal },
      createdBy: `slack:${APPROVER}`,
      incidentId: first.id,
    });
    expect(second.suppressedBy?.exceptionId).toBe(items[0]?.id);
    expect(second.transitions.map((transition) => transition.to)).toEqual(["NEW", "SUPPRESSED"]);
    expect(second.actions).toEqual([]);
    expect(topLevel()).toHaveLength(messagesBefore);
    expect(topLevel().some((item) => JSON.stringify(item.blocks ?? item.text).includes(second.id))).toBe(false);
    await expect
      .poll(() => slack.callsTo("chat.postEphemeral").map((call) => String(call.args.text)), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^Created exception/)]);
  }, 40_000);

  it("announces an exception that expired in the channel", async () => {
    const target = await serve();
    await target.store.putException({
      id: "dsh-expired",
      detection: "sg-ssh-open-world",
      scope: { kind: "cidr", value: "198.51.100.0/24" },
      owner: "platform",
      reason: "office range during the audit",
      createdAt: new Date(Date.now() - 3600_000).toISOString(),
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      createdBy: "dashboard:alice",
      source: "dashboard",
    });

    await expect
      .poll(() => topLevel().filter((item) => JSON.stringify(item.blocks).includes("Exception expired")).length, {
        timeout: 10_000,
      })
      .toBe(1);
    const announced = await target.store.getException("dsh-expired");

    expect(announced?.expiryAnnouncedAt).toBeDefined();
    // Marked once: no later job run can announce it again.
    expect(await target.store.markExceptionAnnounced("dsh-expired", new Date().toISOString())).toEqual({
      applied: false,
    });
  }, 30_000);
});
