import { MIN_TOKEN_LENGTH } from "../api/auth.js";

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
