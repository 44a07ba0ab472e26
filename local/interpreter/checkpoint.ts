/**
 * The resumable state of an execution, stored as `StoredExecution.checkpoint`. It is plain JSON:
 * the machine's frame, at a state with that state's input, the variables and, while a state is in
 * progress, what it is waiting for. A restarted interpreter continues from here.
 */

export const CHECKPOINT_VERSION = 1;

/** What a callback brought (SendTaskSuccess's output or SendTaskFailure's error), as JSON. */
export type CallbackOutcome = { output: unknown } | { error: string; cause: string };

export interface TaskWait {
  /** The task token handed to the callback resource (`.waitForTaskToken`). */
  token: string;
  /** The resource returned: only the callback is awaited now (no re-invocation on resume). */
  submitted: boolean;
  /** Absolute deadlines, epoch ms. */
  timeoutAt?: number;
  heartbeatSeconds?: number;
  heartbeatAt?: number;
  scheduledEventId: number;
  /**
   * The callback, once taken: written durably before the task goes on, so a restart continues
   * with it instead of waiting for a callback that was already delivered.
   */
  callback?: CallbackOutcome;
}

export interface StepData {
  /** Epoch ms the state was entered ($states.context.State.EnteredTime). */
  enteredAt: number;
  enteredEventId: number;
  /** Attempts made per retrier (Retry[i]) in this visit of the state. */
  attempts: number[];
  retryCount: number;
  /** When a retry is due (epoch ms), while waiting for it. */
  retryAt?: number;
  task?: TaskWait;
  /** Wait state: when it ends (epoch ms). */
  waitUntil?: number;
}

export interface FrameData {
  state: string;
  input: unknown;
  /** Variables this frame's scope assigned (outer scopes live in the enclosing frames). */
  vars: Record<string, unknown>;
  lastEventId: number;
  step?: StepData;
}

export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  definitionHash: string;
  nextEventId: number;
  /** Execution deadline from the definition's TimeoutSeconds (epoch ms). */
  deadline?: number;
  root: FrameData;
}

export function isCheckpoint(value: unknown): value is Checkpoint {
  if (value === null || typeof value !== "object") return false;
  const checkpoint = value as Partial<Checkpoint>;
  return checkpoint.version === CHECKPOINT_VERSION && typeof checkpoint.root?.state === "string";
}
