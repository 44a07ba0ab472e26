import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { deactivateUserKeysPlanner, type UserKeysState, type UserKeysTarget } from "./iam-user-keys.plan.js";
import { check, goneOr, sendAll, tagMap } from "./live.js";

/**
 * `iam-deactivate-user-keys`, live: the user (its tags and ARN for the guardrails) and its key
 * list from IAM; a deleted user is gone, and so is a key deleted between read and write.
 */

const NO_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

async function snapshot(ctx: LiveContext<UserKeysTarget>): Promise<Snapshot<UserKeysState>> {
  const userName = ctx.target.userName;
  return goneOr(NO_ENTITY, `user ${userName} no longer exists`, async () => {
    const user = await ctx.aws.send("iam", "GetUser", { UserName: userName });
    const keys: NonNullable<UserKeysState["keys"]> = [];
    let marker: string | undefined;
    do {
      const page = await ctx.aws.send("iam", "ListAccessKeys", {
        UserName: userName,
        ...(marker ? { Marker: marker } : {}),
      });
      for (const key of page.AccessKeyMetadata ?? []) {
        if (key.AccessKeyId) keys.push({ accessKeyId: key.AccessKeyId, ...(key.Status ? { status: key.Status } : {}) });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return {
      state: { keys },
      tags: [tagMap(user.User?.Tags)],
      principals: user.User?.Arn ? [user.User.Arn] : [],
    };
  });
}

export const deactivateUserKeys: RemediationAction<UserKeysTarget, UserKeysState> = {
  ...deactivateUserKeysPlanner,
  errors: { gone: NO_ENTITY },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const active = (read.state.keys ?? []).filter((key) => key.status === "Active").map((key) => key.accessKeyId);
    return [
      check(
        "no active access key",
        active.length === 0,
        active.length === 0
          ? `${ctx.target.userName}: ${read.state.keys?.length ?? 0} key(s), none active`
          : `${ctx.target.userName}: still active ${active.join(", ")}`,
      ),
    ];
  },
};
