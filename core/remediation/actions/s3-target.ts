import type { Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/** The bucket an S3 action acts on: storage facts' `bucket`, or a GuardDuty finding's. */
export function resolveBucket(facts: Record<string, unknown>): Resolution<{ bucket: string }> {
  const bucket = facts.bucket;
  if (typeof bucket !== "string" || bucket === "") return notApplicable("the incident's facts name no bucket");
  if (!ID_PATTERNS.bucket.test(bucket))
    return notApplicable("the bucket name in the facts is not a valid S3 bucket name");
  return ok({ bucket });
}

/** Every S3 public access block setting on. */
export const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

export interface PublicAccessBlockState {
  /** The current configuration; undefined when none is set (nothing is blocked). */
  config?: Partial<Record<keyof typeof ALL_BLOCKED, boolean>>;
}

/** Whether all four settings are on. */
export function allBlocked(state: PublicAccessBlockState): boolean {
  return (Object.keys(ALL_BLOCKED) as (keyof typeof ALL_BLOCKED)[]).every((key) => state.config?.[key] === true);
}
