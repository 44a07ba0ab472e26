import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXED_NOW, makeDeps } from "../../test/notify/fixtures.js";
import { type FakeSlack, startFakeSlack } from "../../test/support/fake-slack.js";
import type { ExceptionRecord } from "../model/exception.js";
import { HOSTILE_TEXT } from "../store/contract/fixtures.js";
import { announceExpiredExceptions } from "./expire.js";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

const exception = (id: string, expiresAt: string): ExceptionRecord => ({
  id,
  detection: "sg-ssh-open-world",
  scope: { kind: "principal", value: `arn:aws:iam::123456789012:user/<!channel>*${HOSTILE_TEXT}` },
  owner: "U0APPROVER",
  reason: `<!here> ${HOSTILE_TEXT}`,
  createdAt: "2026-03-01T00:00:00Z",
  expiresAt,
  createdBy: "slack:U0APPROVER",
  source: "slack",
});

function deps() {
  return makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } } },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl } },
  });
}

describe("announceExpiredExceptions", () => {
  it("announces each expired exception once, escaped, audits it, and leaves the holding ones alone", async () => {
    const d = deps();
    await d.store.putException(exception("expired", new Date(FIXED_NOW.getTime() - 1000).toISOString()));
    await d.store.putException(exception("holding", new Date(FIXED_NOW.getTime() + 3600_000).toISOString()));
    slack.messages.length = 0;

    const first = await announceExpiredExceptions(d);
    const second = await announceExpiredExceptions(d);
    const posted = slack.messages.map((message) => JSON.stringify(message.blocks));

    expect(first).toEqual(["expired"]);
    expect(second).toEqual([]);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain("Exception expired");
    expect(posted[0]).toContain("expired");
    // Attacker text never becomes a mention or formatting.
    expect(posted[0]).not.toContain("<!channel>");
    expect(posted[0]).not.toContain("<!here>");
    expect((await d.store.getException("expired"))?.expiryAnnouncedAt).toBe(FIXED_NOW.toISOString());
    expect((await d.store.listAudit("exception:expired")).map((entry) => entry.action)).toEqual(["exception.expired"]);
  });

  it("announces an expired exception of the configuration once too, storing it to mark it", async () => {
    const d = deps();
    d.config.exceptions.declared.push({
      id: "old-window",
      detection: "sg-ssh-open-world",
      resource: "sg-0abc",
      owner: "platform",
      reason: "maintenance window",
      expiresAt: "2026-03-01T00:00:00Z",
    });
    slack.messages.length = 0;

    const first = await announceExpiredExceptions(d);
    const second = await announceExpiredExceptions(d);

    expect(first).toEqual(["cfg-old-window"]);
    expect(second).toEqual([]);
    expect(slack.messages).toHaveLength(1);
  });

  it("still marks and audits the expiry when Slack fails", async () => {
    const d = makeDeps({
      config: { notify: { slack: { channel: "#security", retries: 0 } } },
      overrides: { secrets: { slackBotToken: "xoxb-wrong-token", slackApiUrl: slack.apiUrl } },
    });
    await d.store.putException(exception("expired", new Date(FIXED_NOW.getTime() - 1000).toISOString()));

    const announced = await announceExpiredExceptions(d);

    expect(announced).toEqual(["expired"]);
    expect((await d.store.listAudit("exception:expired")).map((entry) => entry.action)).toEqual([
      "exception.expired",
      "exception.notice-failed",
    ]);
  });
});
