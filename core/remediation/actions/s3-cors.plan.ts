import { type CorsRule, isPermissiveRule, normalizeCors } from "../../risk/cors.js";
import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { resolveBucket } from "./s3-target.js";

/**
 * `s3-restrict-cors`: restore the bucket's previous CORS rules when the facts hold them (and they
 * are not permissive), else drop the rules that allow every origin; no rule left → delete the
 * CORS configuration.
 */

export interface CorsTarget {
  bucket: string;
  /** The rules before the change, only when known and not permissive. */
  previous?: CorsRule[];
}

export interface CorsState {
  /** The current rules; undefined when the bucket has no CORS configuration. */
  rules?: CorsRule[];
  /** The rules are not known without a live read. */
  unknown?: boolean;
}

export const restrictCorsPlanner: ActionPlanner<CorsTarget, CorsState> = {
  id: "s3-restrict-cors",
  description: "Restore the bucket's previous CORS rules, or remove the rules that allow every origin.",
  permissions: ["s3:GetBucketCORS", "s3:PutBucketCORS", "s3:GetBucketTagging"],
  destructive: false,
  resolve(incident) {
    const bucket = resolveBucket(incident.facts);
    if (!bucket.ok) return bucket;
    const previous = normalizeCors(incident.facts.previousCors);
    const good = previous && previous.length > 0 && !previous.some(isPermissiveRule) ? previous : undefined;
    return { ok: true, target: { bucket: bucket.target.bucket, ...(good ? { previous: good } : {}) } };
  },
  label: (target) => target.bucket,
  describe: ({ target }) =>
    target.previous
      ? `Restore the previous CORS rules of bucket ${target.bucket} (${target.previous.length} rule${target.previous.length === 1 ? "" : "s"}, none allowing every origin).`
      : `Remove the CORS rules of bucket ${target.bucket} that allow every origin, keeping the others (if none remain, delete the CORS configuration).`,
  assume({ incident }) {
    const rules = normalizeCors(incident.facts.cors);
    return rules ? { rules } : { unknown: true };
  },
  plan({ target, state, incident }) {
    const region = incident.region;
    const bucket = target.bucket;
    if (!state.unknown && !(state.rules ?? []).some(isPermissiveRule)) return [];
    if (target.previous) {
      return [
        awsCall("s3", "PutBucketCors", { Bucket: bucket, CORSConfiguration: { CORSRules: target.previous } }, region),
      ];
    }
    if (state.unknown) {
      return [
        awsCall(
          "s3",
          "PutBucketCors",
          { Bucket: bucket, CORSConfiguration: liveValue("GetBucketCors without the rules allowing every origin") },
          region,
        ),
      ];
    }
    const rest = (state.rules ?? []).filter((rule) => !isPermissiveRule(rule));
    if (rest.length === 0) return [awsCall("s3", "DeleteBucketCors", { Bucket: bucket }, region)];
    return [awsCall("s3", "PutBucketCors", { Bucket: bucket, CORSConfiguration: { CORSRules: rest } }, region)];
  },
};
