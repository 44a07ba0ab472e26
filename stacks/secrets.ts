import { config } from "./config";

// Secrets are set per stage: `npx sst secret set <Name> <value> --stage <stage>`. The Slack ones are
// required only when Slack is configured (`notify.slack`); the dashboard token always is.
const slackRequired = config.notify.slack !== undefined;

export const slackBotToken = new sst.Secret("SlackBotToken", slackRequired ? undefined : "");
export const slackSigningSecret = new sst.Secret("SlackSigningSecret", slackRequired ? undefined : "");
export const dashboardToken = new sst.Secret("DashboardToken");
