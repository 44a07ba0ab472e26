import type { Secrets } from "../task-deps.js";

/**
 * Slack secrets from the environment (`SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`, and
 * `SLACK_API_URL` to point the client at a proxy or a local stand-in). Read once at start-up by
 * the runtime that builds `TaskDeps`; blank values count as unset.
 */
export function slackSecretsFromEnv(env: Record<string, string | undefined> = process.env): Secrets {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  const apiUrl = value("SLACK_API_URL");
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) {
    throw new Error(`SLACK_API_URL must be an http(s) URL (got "${apiUrl}")`);
  }
  return {
    ...(value("SLACK_BOT_TOKEN") ? { slackBotToken: value("SLACK_BOT_TOKEN") } : {}),
    ...(value("SLACK_SIGNING_SECRET") ? { slackSigningSecret: value("SLACK_SIGNING_SECRET") } : {}),
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/` } : {}),
  };
}
