import type { FanoutResult } from "../websocket/fanout.js";
import { createHeartbeatHandler } from "../websocket/heartbeat.js";
import { awsLiveDeps } from "../websocket/resources.js";

/**
 * Scheduled every minute, the shortest EventBridge schedule: heartbeats at 0, 20 and 40 seconds,
 * since dashboards treat a socket silent for 45 seconds as dead. With no dashboard connected it
 * sends once and stops, so an idle deployment costs one short invocation a minute.
 */

export const HEARTBEATS_PER_MINUTE = 3;
export const HEARTBEAT_INTERVAL_MS = 20_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createHeartbeatScheduleHandler(
  sendHeartbeat: () => Promise<FanoutResult>,
  sleep: (ms: number) => Promise<void> = realSleep,
) {
  return async (): Promise<{ rounds: number; sent: number }> => {
    let rounds = 0;
    let sent = 0;
    for (let round = 0; round < HEARTBEATS_PER_MINUTE; round++) {
      if (round > 0) await sleep(HEARTBEAT_INTERVAL_MS);
      const result = await sendHeartbeat();
      rounds += 1;
      sent += result.sent;
      if (result.connections - result.gone === 0) break;
    }
    return { rounds, sent };
  };
}

export const handler = createHeartbeatScheduleHandler(createHeartbeatHandler(awsLiveDeps));
