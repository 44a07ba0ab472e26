import type { CorrelationStore } from "../../correlation/store.js";
import type { SecurityEvent } from "../../model/event.js";
import type { Finding } from "../../model/incident.js";
import { bucketOf, requestedCors, requestedPolicy } from "../facts/s3.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { accountOf, type Json, str } from "../record.js";
import type { EventPattern } from "../types.js";

/**
 * The last bucket policy and CORS configuration seen per bucket, so findings can hand
 * remediation the configuration to restore (`previousPolicy`, `previousCors`). Updated from every
 * successful change, including Riposte's own.
 */

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = 90 * DAY;

export function bucketHistoryPattern(): EventPattern {
  return apiCalls("aws.s3", ["PutBucketPolicy", "PutBucketCors", "DeleteBucketCors"], NO_ERROR);
}

interface BucketHistory {
  policy?: string;
  cors?: unknown;
}

const key = (account: string, bucket: string) => `bucket|${account}|${bucket}`;

export class BucketHistoryTracker {
  constructor(private readonly state: CorrelationStore) {}

  /** The history before `event`, then record what `event` set. */
  async observe(event: SecurityEvent): Promise<BucketHistory | undefined> {
    const record = event.envelope.detail as Json;
    const bucket = bucketOf(record);
    if (!bucket || record.errorCode) return undefined;
    const itemKey = key(accountOf(record), bucket);
    const before = (await this.state.get<BucketHistory>(itemKey, event.epochMs))?.value;
    const next: BucketHistory = { ...before };
    switch (str(record.eventName)) {
      case "PutBucketPolicy": {
        const policy = requestedPolicy(record);
        if (policy) next.policy = JSON.stringify(policy);
        break;
      }
      case "PutBucketCors":
        next.cors = requestedCors(record);
        break;
      case "DeleteBucketCors":
        delete next.cors;
        break;
    }
    await this.state.put(itemKey, next, { now: event.epochMs, expiresAt: event.epochMs + RETENTION });
    return before ?? {};
  }

  /** What the bucket had before: for findings of `s3-bucket-policy-*` and `s3-cors-permissive`. */
  async previousFor(event: SecurityEvent): Promise<BucketHistory | undefined> {
    const record = event.envelope.detail as Json;
    const bucket = bucketOf(record);
    if (!bucket) return undefined;
    return (await this.state.get<BucketHistory>(key(accountOf(record), bucket), event.epochMs))?.value;
  }
}

/** Add the previous configuration to storage findings that restore one. */
export function withPrevious(finding: Finding, previous: BucketHistory | undefined): Finding {
  if (!previous) return finding;
  if (
    (finding.detection === "s3-bucket-policy-public" || finding.detection === "s3-bucket-policy-deleted") &&
    previous.policy
  ) {
    return { ...finding, facts: { ...finding.facts, previousPolicy: previous.policy } };
  }
  if (finding.detection === "s3-cors-permissive" && previous.cors !== undefined) {
    return { ...finding, facts: { ...finding.facts, previousCors: previous.cors } };
  }
  return finding;
}
