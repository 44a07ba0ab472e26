import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type EbsDefaultState,
  type EbsDefaultTarget,
  enableEbsDefaultEncryptionPlanner,
} from "./ebs-encryption.plan.js";
import { check, sendAll } from "./live.js";

/** `ebs-enable-default-encryption`, live: an account setting, never gone, with no tags of its own. */

async function snapshot(
  ctx: LiveContext<EbsDefaultTarget>,
): Promise<Extract<Snapshot<EbsDefaultState>, { state: unknown }>> {
  const answer = await ctx.aws.send("ec2", "GetEbsEncryptionByDefault", {}, ctx.target.region);
  return { state: { enabled: answer.EbsEncryptionByDefault === true }, tags: [] };
}

export const enableEbsDefaultEncryption: RemediationAction<EbsDefaultTarget, EbsDefaultState> = {
  ...enableEbsDefaultEncryptionPlanner,
  errors: {},
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    return [
      check(
        `EBS encryption by default on in ${ctx.target.region}`,
        read.state.enabled,
        `EbsEncryptionByDefault: ${read.state.enabled}`,
      ),
    ];
  },
};
