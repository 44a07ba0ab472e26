import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { type AccessKeyState, type AccessKeyTarget, deactivateAccessKeyPlanner } from "./iam-access-key.plan.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";

/**
 * `iam-deactivate-access-key`, live: the owner comes from IAM (GetAccessKeyLastUsed), the status
 * from the owner's key list; a key no longer listed is gone.
 */

const NO_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

async function snapshot(ctx: LiveContext<AccessKeyTarget>): Promise<Snapshot<AccessKeyState>> {
  const keyId = ctx.target.accessKeyId;
  return goneOr(NO_ENTITY, `access key ${keyId} no longer exists`, async () => {
    const lastUsed = await ctx.aws.send("iam", "GetAccessKeyLastUsed", { AccessKeyId: keyId });
    const owner = lastUsed.UserName;
    if (!owner) gone(`access key ${keyId} no longer exists`);
    if (owner === "root" || owner === "<root_account>") {
      throw new CannotPlan("root access keys can only be managed by the root user: remove them by hand");
    }
    const keys = await ctx.aws.send("iam", "ListAccessKeys", { UserName: owner });
    const key = keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === keyId);
    if (!key) gone(`access key ${keyId} no longer exists`);
    const user = await ctx.aws.send("iam", "GetUser", { UserName: owner });
    return {
      state: { userName: owner, status: key.Status },
      tags: [tagMap(user.User?.Tags)],
      principals: user.User?.Arn ? [user.User.Arn] : [],
    };
  });
}

export const deactivateAccessKey: RemediationAction<AccessKeyTarget, AccessKeyState> = {
  ...deactivateAccessKeyPlanner,
  errors: { gone: NO_ENTITY },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [
      check(
        "access key inactive",
        read.state.status === "Inactive",
        `${ctx.target.accessKeyId} of ${read.state.userName}: ${read.state.status ?? "unknown"}`,
      ),
    ];
  },
};
