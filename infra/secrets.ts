import { DashboardTokensError, dashboardTokens, MIN_TOKEN_LENGTH } from "../core/api/auth.js";
import { IntakeTokenError, intakeTokens } from "../core/api/intake-token.js";

/**
 * Deploy-time checks of secret values. The dashboard and its API face the internet, so a short
 * (guessable) DashboardToken is refused before it is handed to any function. The message names
 * the secret and the rule, never the value: deploy logs are read by more people than the secret.
 */

/** What is wrong with a DashboardToken value, or undefined when it will do. */
export function dashboardTokenProblem(value: string): string | undefined {
  const length = value.trim().length;
  if (length >= MIN_TOKEN_LENGTH) return undefined;
  return `the DashboardToken secret is ${length === 0 ? "empty" : "too short"}: it must be at least ${MIN_TOKEN_LENGTH} characters (set one with: npx sst secret set DashboardToken "$(openssl rand -base64 32)" --stage <stage>)`;
}

/**
 * What is wrong with a DashboardUsers value (`name=token` pairs, one per person; empty means none),
 * checked with the functions' own parser against the DashboardToken too; undefined when it will do.
 */
export function dashboardUsersProblem(users: string, sharedToken: string): string | undefined {
  try {
    dashboardTokens({
      users,
      shared: sharedToken,
      names: { users: "the DashboardUsers secret", shared: "the DashboardToken secret" },
    });
    return undefined;
  } catch (error) {
    if (error instanceof DashboardTokensError) {
      return `${error.message} (the format: name=token pairs separated by commas or newlines)`;
    }
    throw error;
  }
}

/**
 * What is wrong with an IntakeToken value (optional: empty leaves `POST /api/events` off), checked
 * with the functions' own parser against the dashboard tokens; undefined when it will do.
 */
export function intakeTokenProblem(intake: string, users: string, sharedToken: string): string | undefined {
  try {
    const dashboard = dashboardTokens({
      users,
      shared: sharedToken,
      names: { users: "the DashboardUsers secret", shared: "the DashboardToken secret" },
    });
    intakeTokens(intake, "the IntakeToken secret", dashboard);
    return undefined;
  } catch (error) {
    if (error instanceof IntakeTokenError) return error.message;
    if (error instanceof DashboardTokensError) return undefined; // reported for DashboardUsers
    throw error;
  }
}
