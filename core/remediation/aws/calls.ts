import type { AwsCall } from "../../model/incident.js";
import type { InputOf, OperationName, ServiceName } from "./operations.js";

/**
 * A parameter value only a live read can supply (a WAF lock token, a free rule number). Dry-run
 * and static plans never read AWS, so where a call needs such a value they record this marker,
 * naming the read that would supply it, instead of inventing one.
 */
export interface LiveValue {
  $live: string;
}

/** The marker for a value read live; `source` says where from ("GetIPSet.LockToken"). */
export function liveValue(source: string): LiveValue {
  return { $live: source };
}

/** Whether a recorded value is a `liveValue` marker. */
export function isLiveValue(value: unknown): value is LiveValue {
  return typeof value === "object" && value !== null && typeof (value as LiveValue).$live === "string";
}

/** An SDK input in which any top-level parameter may be a `liveValue` marker (plans only). */
export type PlannedInput<T> = { [K in keyof T]: T[K] | LiveValue };

/** An `AwsCall` whose params were checked against the SDK's input type for the operation. */
export function awsCall<S extends ServiceName, O extends OperationName<S>>(
  service: S,
  operation: O,
  params: PlannedInput<InputOf<S, O>>,
  region?: string,
): AwsCall {
  const call: AwsCall = { service, operation, params: params as Record<string, unknown> };
  if (region) call.region = region;
  return call;
}

/** Whether any parameter of a call is still a `liveValue` marker (it cannot be sent as is). */
export function hasLiveValues(call: AwsCall): boolean {
  const visit = (value: unknown): boolean => {
    if (isLiveValue(value)) return true;
    if (Array.isArray(value)) return value.some(visit);
    if (typeof value === "object" && value !== null) return Object.values(value).some(visit);
    return false;
  };
  return visit(call.params);
}
