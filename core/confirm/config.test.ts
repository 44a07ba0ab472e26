import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.js";

describe("confirmation configuration", () => {
  it("is off by default: no detection asks its actor", () => {
    const config = parseConfig({});
    expect(config.confirmation.detections).toEqual([]);
    expect(config.confirmation.actors.mode).toBe("table");
  });

  it("takes detections a person's own action triggers, with a table of actors", () => {
    const config = parseConfig({
      confirmation: {
        detections: ["sg-ssh-open-world", "access-key-created", "console-login-new-ip"],
        timeoutMinutes: 15,
        keepHoursMax: 4,
        actors: { table: { "arn:aws:iam::123456789012:user/alice": "U0ALICE", bob: "U0BOB" } },
      },
    });
    expect(config.confirmation.detections).toHaveLength(3);
    expect(config.confirmation.actors.table.bob).toBe("U0BOB");
  });

  it("refuses a detection no person's own action triggers, naming the field and the reason", () => {
    expect(() =>
      parseConfig({ confirmation: { detections: ["sg-ssh-open-world", "console-login-brute-force"] } }),
    ).toThrow(/confirmation\.detections\.1: "console-login-brute-force" is not triggered by a person's own action/);
    expect(() => parseConfig({ confirmation: { detections: ["no-such-detection"] } })).toThrow(
      /confirmation\.detections\.0: "no-such-detection" is not triggered/,
    );
  });

  it("refuses a duplicate detection, a tag mode without its tag key, and a bad Slack user id", () => {
    expect(() => parseConfig({ confirmation: { detections: ["access-key-created", "access-key-created"] } })).toThrow(
      /confirmation\.detections\.1: duplicate detection/,
    );
    expect(() => parseConfig({ confirmation: { actors: { mode: "iam-tag" } } })).toThrow(
      /confirmation\.actors\.tagKey: is required with actors\.mode "iam-tag"/,
    );
    expect(() => parseConfig({ confirmation: { actors: { mode: "email-tag" } } })).toThrow(
      /confirmation\.actors\.tagKey: is required with actors\.mode "email-tag"/,
    );
    expect(() => parseConfig({ confirmation: { actors: { table: { alice: "alice@example.com" } } } })).toThrow(
      /confirmation\.actors\.table\.alice: expected a Slack user id/,
    );
    expect(() => parseConfig({ confirmation: { timeoutMinutes: 0 } })).toThrow(/confirmation\.timeoutMinutes/);
    expect(() => parseConfig({ confirmation: { keepHoursMax: 1000 } })).toThrow(/confirmation\.keepHoursMax/);
    expect(() => parseConfig({ confirmation: { actors: { mode: "ldap" } } })).toThrow(/confirmation\.actors\.mode/);
  });
});
