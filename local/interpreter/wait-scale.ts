/**
 * A test aid, honoured only by the local interpreter: RIPOSTE_TEST_WAIT_SCALE makes every Wait
 * state last that fraction of its time (0.01: a 15 s propagation wait takes 150 ms), so suites
 * that run whole workflows against an emulator do not sit out waits the emulator does not need.
 * The ASL is unchanged and the Wait state still runs, with its history entries; only its
 * deadline comes sooner. Task timeouts, heartbeats, retries and approval timeouts keep real time.
 */

import type { Logger } from "../../core/log.js";

export const WAIT_SCALE_VARIABLE = "RIPOSTE_TEST_WAIT_SCALE";

/** RIPOSTE_TEST_WAIT_SCALE is set to something that is not a fraction of time. */
export class WaitScaleError extends Error {
  override name = "WaitScaleError";
}

/** The scale from the environment: 1 (real time) when unset; a value outside (0, 1] is refused. */
export function waitScaleFromEnv(env: Record<string, string | undefined>): number {
  const text = env[WAIT_SCALE_VARIABLE]?.trim();
  if (!text) return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new WaitScaleError(`${WAIT_SCALE_VARIABLE} must be a number above 0 and at most 1 (got "${text}")`);
  }
  return scale;
}

/** `waitScaleFromEnv`, with a warning when it is not real time: a server so started is a test's. */
export function testWaitScale(env: Record<string, string | undefined>, logger: Logger): number {
  const scale = waitScaleFromEnv(env);
  if (scale < 1) logger.warn(`${WAIT_SCALE_VARIABLE} is set: Wait states last ${scale} of their time (a test aid)`);
  return scale;
}

/** The deadline of a Wait state entered at `enteredAt` that would end at `atMs` in real time. */
export function scaledWaitDeadline(enteredAt: number, atMs: number, scale: number): number {
  if (scale === 1 || atMs <= enteredAt) return atMs;
  return enteredAt + Math.ceil((atMs - enteredAt) * scale);
}
