import { runSlackFollowUp, type SlackFollowUp } from "../../core/approval/follow-up.js";
import type { Logger } from "../../core/log.js";
import type { TaskDeps } from "../../core/task-deps.js";

/**
 * Slack follow-ups on one machine: run in the background, after `POST /slack/interactions` has
 * answered (Slack wants the answer within three seconds). A failure is logged; the incident
 * message is redelivered by the notices job like any notice Slack missed. `drain()` waits for
 * the ones still running, so shutdown closes the store under none of them.
 */
export function backgroundSlackFollowUps(deps: TaskDeps, logger: Logger) {
  const running = new Set<Promise<void>>();
  return {
    async send(followUp: SlackFollowUp): Promise<void> {
      const work: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => runSlackFollowUp(followUp, deps))
        .catch((error: unknown) => logger.error("Slack follow-up failed", { type: followUp.type, error }))
        .finally(() => running.delete(work));
      running.add(work);
    },
    async drain(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
