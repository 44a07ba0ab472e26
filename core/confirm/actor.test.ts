import { IAMClient, ListUserTagsCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../test/support/fake-slack.js";
import { parseConfig } from "../config/load.js";
import { silentLogger } from "../log.js";
import type { TaskDeps } from "../task-deps.js";
import { actorLookups, iamUserName, mapActor } from "./actor.js";

const ACCOUNT = "123456789012";
const iam = mockClient(IAMClient);
afterEach(() => iam.reset());
afterAll(() => iam.restore());
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

const noLookups = {
  listUserTags: async () => {
    throw new Error("no IAM lookup expected");
  },
  lookupByEmail: async () => {
    throw new Error("no Slack lookup expected");
  },
};

const actors = (value: unknown) => parseConfig({ confirmation: { actors: value } }).confirmation.actors;

describe("iamUserName", () => {
  it("takes the name only from a well-formed IAM user ARN of the incident's account", () => {
    expect(iamUserName(ALICE, ACCOUNT)).toBe("alice");
    expect(iamUserName(`arn:aws:iam::${ACCOUNT}:user/division/team/alice`, ACCOUNT)).toBe("alice");
    expect(iamUserName(ALICE, "999999999999")).toBeUndefined();
    expect(iamUserName(`arn:aws:sts::${ACCOUNT}:assumed-role/admin/alice`, ACCOUNT)).toBeUndefined();
    expect(iamUserName("alice", ACCOUNT)).toBeUndefined();
    expect(iamUserName(`${ALICE} `, ACCOUNT)).toBeUndefined();
  });
});

describe("mapActor: the table", () => {
  const table = actors({ table: { [ALICE]: "U0ALICE", bob: "U0BOB" } });

  it("matches the principal ARN exactly, or the IAM user name of an IAM user ARN", async () => {
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, table, noLookups)).toEqual({
      slackUser: "U0ALICE",
      via: "table",
    });
    expect(
      await mapActor({ principal: `arn:aws:iam::${ACCOUNT}:user/bob`, account: ACCOUNT }, table, noLookups),
    ).toEqual({ slackUser: "U0BOB", via: "table" });
    expect(await mapActor({ principal: "bob", account: ACCOUNT }, table, noLookups)).toEqual({
      slackUser: "U0BOB",
      via: "table",
    });
  });

  it("never matches near misses an attacker could craft", async () => {
    for (const principal of [
      "Bob",
      "bob ",
      `${ALICE}x`,
      "arn:aws:iam::999999999999:user/bob",
      `arn:aws:sts::${ACCOUNT}:assumed-role/bob/bob`,
      "constructor",
      "__proto__",
      "",
    ]) {
      expect(await mapActor({ principal, account: ACCOUNT }, table, noLookups), principal).toBeUndefined();
    }
  });
});

describe("mapActor: iam-tag (ListUserTags, mocked: the tag value is the Slack user id)", () => {
  const deps = {
    config: parseConfig({}),
    aws: { region: "us-east-1" },
    secrets: {},
    logger: silentLogger,
  } as unknown as TaskDeps;
  const config = actors({ mode: "iam-tag", tagKey: "slack-user" });

  it("reads the user's tag, across pages, with the exact user name", async () => {
    iam
      .on(ListUserTagsCommand, { UserName: "alice" }, true)
      .resolves({ Tags: [{ Key: "team", Value: "infra" }], IsTruncated: true, Marker: "m1" })
      .on(ListUserTagsCommand, { UserName: "alice", Marker: "m1" })
      .resolves({ Tags: [{ Key: "slack-user", Value: "U0ALICE" }], IsTruncated: false });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps))).toEqual({
      slackUser: "U0ALICE",
      via: "iam-tag",
    });
    expect(iam.commandCalls(ListUserTagsCommand).map((call) => call.args[0].input)).toEqual([
      { UserName: "alice" },
      { UserName: "alice", Marker: "m1" },
    ]);
  });

  it("asks nobody when the tag is missing or is not a Slack user id, and never looks up a role session", async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "slack-user", Value: "<!channel>" }] });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps))).toBeUndefined();
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "Slack-User", Value: "U0ALICE" }] });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps))).toBeUndefined();
    iam.reset();
    const role = `arn:aws:sts::${ACCOUNT}:assumed-role/admin/alice`;
    expect(await mapActor({ principal: role, account: ACCOUNT }, config, actorLookups(deps))).toBeUndefined();
    expect(iam.commandCalls(ListUserTagsCommand)).toHaveLength(0);
  });

  it("the table still comes first", async () => {
    const both = actors({ mode: "iam-tag", tagKey: "slack-user", table: { alice: "U0TABLE" } });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, both, actorLookups(deps))).toEqual({
      slackUser: "U0TABLE",
      via: "table",
    });
    expect(iam.commandCalls(ListUserTagsCommand)).toHaveLength(0);
  });
});

describe("mapActor: email-tag (the fake Slack API's users.lookupByEmail)", () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({ users: { "alice@example.com": "U0ALICE" } });
  });
  afterAll(async () => {
    await slack.close();
  });
  const config = actors({ mode: "email-tag", tagKey: "email" });
  const deps = () =>
    ({
      config: parseConfig({ notify: { slack: { channel: "#security", retries: 0 } } }),
      aws: { region: "us-east-1" },
      secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl },
      logger: silentLogger,
    }) as unknown as TaskDeps;

  it("resolves the email tag to the Slack user with that email", async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "email", Value: "alice@example.com" }] });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps()))).toEqual({
      slackUser: "U0ALICE",
      via: "email-tag",
    });
    expect(slack.callsTo("users.lookupByEmail").at(-1)?.args.email).toBe("alice@example.com");
  });

  it("asks nobody for an unknown email, and never sends a malformed one to Slack", async () => {
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "email", Value: "mallory@example.com" }] });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps()))).toBeUndefined();
    const before = slack.callsTo("users.lookupByEmail").length;
    iam.on(ListUserTagsCommand).resolves({ Tags: [{ Key: "email", Value: "alice@example.com <U0ADMIN>" }] });
    expect(await mapActor({ principal: ALICE, account: ACCOUNT }, config, actorLookups(deps()))).toBeUndefined();
    expect(slack.callsTo("users.lookupByEmail")).toHaveLength(before);
  });
});
