import { STATES_ERRORS } from "./errors.js";
import type { Catcher, Retrier } from "./model.js";

/**
 * Retry and Catch semantics (Amazon States Language, "Error handling"): retriers and catchers are
 * scanned in order and the first whose ErrorEquals names the error applies. `States.ALL` matches
 * every error but `States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed` matches
 * every error except timeouts; `States.Timeout` also matches a heartbeat timeout.
 */

const UNCATCHABLE_BY_WILDCARD = new Set<string>([STATES_ERRORS.runtime, STATES_ERRORS.dataLimitExceeded]);
const TIMEOUTS = new Set<string>([STATES_ERRORS.timeout, STATES_ERRORS.heartbeatTimeout]);

/** Whether one ErrorEquals entry matches an error name. */
export function errorMatches(pattern: string, error: string): boolean {
  if (pattern === error) return true;
  if (pattern === STATES_ERRORS.all) return !UNCATCHABLE_BY_WILDCARD.has(error);
  if (pattern === STATES_ERRORS.taskFailed) return !UNCATCHABLE_BY_WILDCARD.has(error) && !TIMEOUTS.has(error);
  if (pattern === STATES_ERRORS.timeout) return error === STATES_ERRORS.heartbeatTimeout;
  return false;
}

function matchesAny(errorEquals: string[], error: string): boolean {
  return errorEquals.some((pattern) => errorMatches(pattern, error));
}

/** The index of the retrier that handles `error`, if any (it may already be exhausted). */
export function findRetrier(retriers: Retrier[], error: string): number | undefined {
  // States.Runtime is never retried, whatever the retrier names.
  if (error === STATES_ERRORS.runtime) return undefined;
  const index = retriers.findIndex((retrier) => matchesAny(retrier.errorEquals, error));
  return index === -1 ? undefined : index;
}

export function findCatcher(catchers: Catcher[], error: string): Catcher | undefined {
  if (error === STATES_ERRORS.runtime) return undefined;
  return catchers.find((catcher) => matchesAny(catcher.errorEquals, error));
}

/**
 * Delay before retry number `attempt` (0-based): IntervalSeconds × BackoffRate^attempt, capped
 * by MaxDelaySeconds, then with FULL jitter a uniform draw between 0 and that.
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number): number {
  let seconds = retrier.intervalSeconds * retrier.backoffRate ** attempt;
  if (retrier.maxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.maxDelaySeconds);
  if (retrier.jitterStrategy === "FULL") seconds *= random();
  return Math.round(seconds * 1000);
}
