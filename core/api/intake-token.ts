import { MIN_TOKEN_LENGTH } from "./auth.js";
import type { ApiToken } from "./types.js";

/**
 * The event intake's own credential (`RIPOSTE_INTAKE_TOKEN` for `riposte serve`, the optional
 * IntakeToken secret on AWS). Posted events drive live remediation, so whoever may read the
 * dashboard may not thereby inject CloudTrail: the intake token is separate and must differ from
 * every dashboard token. Errors name the setting, never the token.
 */

/** The principal recorded for events posted with the intake token. */
export const INTAKE_PRINCIPAL = "intake";

/** A malformed intake token setting. */
export class IntakeTokenError extends Error {
  override name = "IntakeTokenError";
}

const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** The intake's tokens from a setting: none when it is unset or blank (intake then stays off). */
export function intakeTokens(value: string | undefined, setting: string, dashboard: readonly ApiToken[]): ApiToken[] {
  const token = value?.trim() ?? "";
  if (token.length === 0) return [];
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new IntakeTokenError(`${setting} is too short: it must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (!TOKEN_CHARACTERS.test(token)) {
    throw new IntakeTokenError(`${setting} must be visible ASCII characters without spaces`);
  }
  if (dashboard.some((entry) => entry.token === token)) {
    throw new IntakeTokenError(`${setting} must differ from every dashboard token: it is a separate credential`);
  }
  return [{ token, principal: INTAKE_PRINCIPAL }];
}
