import { describe, expect, it } from "vitest";
import { slackSecretsFromEnv } from "./secrets.js";

describe("slackSecretsFromEnv", () => {
  it("reads the token, signing secret and API URL", () => {
    const secrets = slackSecretsFromEnv({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: " s3cret ",
      SLACK_API_URL: "http://127.0.0.1:9999/api",
    });

    expect(secrets).toEqual({
      slackBotToken: "xoxb-1",
      slackSigningSecret: "s3cret",
      slackApiUrl: "http://127.0.0.1:9999/api/",
    });
  });

  it("treats blank values as unset", () => {
    expect(slackSecretsFromEnv({ SLACK_BOT_TOKEN: "  ", SLACK_SIGNING_SECRET: "" })).toEqual({});
  });

  it("refuses an API URL that is not http(s)", () => {
    expect(() => slackSecretsFromEnv({ SLACK_API_URL: "file:///etc/passwd" })).toThrow(
      "SLACK_API_URL must be an http(s) URL",
    );
  });
});
