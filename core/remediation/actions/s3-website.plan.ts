import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { resolveBucket } from "./s3-target.js";

/** `s3-delete-website`: remove the bucket's static website configuration (the snapshot keeps it). */

export interface WebsiteState {
  /** The website configuration; undefined when the bucket has none. */
  website?: Record<string, unknown>;
}

export const deleteWebsitePlanner: ActionPlanner<{ bucket: string }, WebsiteState> = {
  id: "s3-delete-website",
  description: "Delete the bucket's static website configuration.",
  permissions: ["s3:GetBucketWebsite", "s3:DeleteBucketWebsite", "s3:GetBucketTagging"],
  destructive: false,
  resolve: (incident) => resolveBucket(incident.facts),
  label: (target) => target.bucket,
  describe: ({ target }) =>
    `Delete the static website configuration of bucket ${target.bucket} (the configuration is kept in the before-snapshot).`,
  // The detection fired because website hosting was switched on.
  assume: ({ incident }) => ({ website: (incident.facts.website as Record<string, unknown> | undefined) ?? {} }),
  plan: ({ target, state, incident }) =>
    state.website ? [awsCall("s3", "DeleteBucketWebsite", { Bucket: target.bucket }, incident.region)] : [],
};
