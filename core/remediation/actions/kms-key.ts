import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { type KeyState, type KeyTarget, restoreKeyPlanner } from "./kms-key.plan.js";
import { check, goneOr, sendAll } from "./live.js";

/**
 * `kms-restore-key`, live. A key that no longer exists (its waiting period ran out) is "gone"
 * for the runner, and verification fails it: what it encrypted can no longer be decrypted. A key
 * whose state changed between the read and the calls (KMSInvalidStateException) is read again.
 */

const NO_KEY = ["NotFoundException"];

async function snapshot(ctx: LiveContext<KeyTarget>): Promise<Snapshot<KeyState>> {
  const { keyId, region } = ctx.target;
  return goneOr(NO_KEY, `KMS key ${keyId} no longer exists: what it encrypted cannot be decrypted`, async () => {
    const described = await ctx.aws.send("kms", "DescribeKey", { KeyId: keyId }, region);
    const listed = await ctx.aws.send("kms", "ListResourceTags", { KeyId: keyId }, region);
    const tags: Record<string, string> = {};
    for (const tag of listed.Tags ?? []) if (tag.TagKey !== undefined) tags[tag.TagKey] = tag.TagValue ?? "";
    return { state: { keyState: described.KeyMetadata?.KeyState ?? "unknown" }, tags: [tags] };
  });
}

export const restoreKey: RemediationAction<KeyTarget, KeyState> = {
  ...restoreKeyPlanner,
  errors: { gone: NO_KEY, conflict: ["KMSInvalidStateException"] },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("key exists", false, read.gone)];
    return [check(`key ${ctx.target.keyId} enabled`, read.state.keyState === "Enabled", read.state.keyState)];
  },
};
