import { dashboardTokenProblem, dashboardUsersProblem, intakeTokenProblem } from "../infra/secrets";
import { config } from "./config";

// Secrets are set per stage: `npx sst secret set <Name> <value> --stage <stage>`. The Slack ones are
// required only when Slack is configured (`notify.slack`); the dashboard token always is.
const slackRequired = config.notify.slack !== undefined;

export const slackBotToken = new sst.Secret("SlackBotToken", slackRequired ? undefined : "");
export const slackSigningSecret = new sst.Secret("SlackSigningSecret", slackRequired ? undefined : "");
export const dashboardToken = new sst.Secret("DashboardToken");
// Optional: one dashboard token per person (`name=token` pairs), so approvals record who gave them.
export const dashboardUsers = new sst.Secret("DashboardUsers", "");
// Optional: the only token `POST /api/events` accepts (posted events drive remediation); empty: intake off.
export const intakeToken = new sst.Secret("IntakeToken", "");

// The dashboard and its API face the internet: a short token fails the deploy, the way SST fails
// one whose secret is unset (an error from the value's apply). The message never holds the value.
dashboardToken.value.apply((value) => {
  const problem = dashboardTokenProblem(value);
  if (problem) throw new $util.ResourceError(problem, dashboardToken, true);
});

// A malformed DashboardUsers fails the deploy rather than every API call; empty means none.
$util.all([dashboardUsers.value, dashboardToken.value]).apply(([users, shared]) => {
  const problem = dashboardUsersProblem(users, shared);
  if (problem) throw new $util.ResourceError(problem, dashboardUsers, true);
});

$util.all([intakeToken.value, dashboardUsers.value, dashboardToken.value]).apply(([intake, users, shared]) => {
  const problem = intakeTokenProblem(intake, users, shared);
  if (problem) throw new $util.ResourceError(problem, intakeToken, true);
});
