import { isPermissiveRule, normalizeCors } from "../../risk/cors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll, unlessAbsent } from "./live.js";
import { type CorsState, type CorsTarget, restrictCorsPlanner } from "./s3-cors.plan.js";

/** `s3-restrict-cors`, live: read the rules, restore or restrict them, re-read. */

async function snapshot(ctx: LiveContext<CorsTarget>): Promise<Snapshot<CorsState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const answer = await unlessAbsent(
      () => ctx.aws.send("s3", "GetBucketCors", { Bucket: bucket }),
      ["NoSuchCORSConfiguration"],
      undefined,
    );
    const tags = await bucketTags(ctx, bucket);
    const rules = answer ? normalizeCors({ CORSRules: answer.CORSRules ?? [] }) : undefined;
    return { state: rules ? { rules } : {}, tags: [tags] };
  });
}

export const restrictCors: RemediationAction<CorsTarget, CorsState> = {
  ...restrictCorsPlanner,
  errors: { gone: NO_BUCKET },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const permissive = (read.state.rules ?? []).filter(isPermissiveRule);
    return [
      check(
        "no CORS rule allows every origin",
        permissive.length === 0,
        `${read.state.rules?.length ?? 0} rules, ${permissive.length} allowing every origin`,
      ),
    ];
  },
};
