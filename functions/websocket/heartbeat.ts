import { heartbeatMessage } from "../../core/api/live.js";
import { type FanoutDeps, type FanoutResult, fanOut } from "./fanout.js";
import { awsLiveDeps } from "./resources.js";

/**
 * Scheduled (every few minutes): a heartbeat to every connection, so dashboards know the link is
 * alive, API Gateway's 10-minute idle timeout never fires, and gone connections are pruned.
 */
export function createHeartbeatHandler(
  resolveDeps: () => (FanoutDeps & { now: () => Date }) | Promise<FanoutDeps & { now: () => Date }>,
) {
  return async (): Promise<FanoutResult> => {
    const deps = await resolveDeps();
    return fanOut([heartbeatMessage(deps.now())], deps);
  };
}

export const handler = createHeartbeatHandler(awsLiveDeps);
