import type { AwsCall } from "../../model/incident.js";
import { hasCode } from "../aws/errors.js";
import type { LiveContext, VerifyCheck } from "../types.js";

/** Small helpers the live halves of actions share. */

/** Send the planned calls in order (the default `apply`). */
export async function sendAll(ctx: LiveContext<unknown> & { calls: AwsCall[] }): Promise<void> {
  for (const call of ctx.calls) await ctx.aws.sendCall(call);
}

/** `[{ Key, Value }]` (EC2, S3, IAM, CloudTrail tag lists) as a map. */
export function tagMap(list: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  return tags;
}

/** Run a read; when AWS answers with one of `codes` (the thing is absent), return `absent` instead. */
export async function unlessAbsent<T, A>(read: () => Promise<T>, codes: readonly string[], absent: A): Promise<T | A> {
  try {
    return await read();
  } catch (error) {
    if (hasCode(error, codes)) return absent;
    throw error;
  }
}

/** A marker for "the resource is gone", thrown out of nested reads and caught by `goneOr`. */
class Gone {
  constructor(readonly reason: string) {}
}

/** Run the reads of a snapshot; when one fails with a `codes` error, the snapshot is `{ gone: reason }`. */
export async function goneOr<T>(
  codes: readonly string[],
  reason: string,
  read: () => Promise<T>,
): Promise<T | { gone: string }> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Gone) return { gone: error.reason };
    if (hasCode(error, codes)) return { gone: reason };
    throw error;
  }
}

/** Inside `goneOr`: declare the target gone for a reason found while reading. */
export function gone(reason: string): never {
  throw new Gone(reason);
}

export function check(name: string, ok: boolean, detail?: string): VerifyCheck {
  return detail === undefined ? { name, ok } : { name, ok, detail };
}

/** S3 errors meaning the bucket itself no longer exists. */
export const NO_BUCKET = ["NoSuchBucket"] as const;

/** A bucket's tags (none when it has no tag set). */
export async function bucketTags(ctx: LiveContext<unknown>, bucket: string): Promise<Record<string, string>> {
  const answer = await unlessAbsent(
    () => ctx.aws.send("s3", "GetBucketTagging", { Bucket: bucket }),
    ["NoSuchTagSet", "NoSuchTagSetError"],
    undefined,
  );
  return tagMap(answer?.TagSet);
}
