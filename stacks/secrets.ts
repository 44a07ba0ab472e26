// Secrets are set per stage with `npx sst secret set <Name> <value> --stage <stage>`.
export const slackBotToken = new sst.Secret("SlackBotToken");
export const slackSigningSecret = new sst.Secret("SlackSigningSecret");
export const dashboardToken = new sst.Secret("DashboardToken");
