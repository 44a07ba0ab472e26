import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";

/**
 * `ebs-enable-default-encryption`: EnableEbsEncryptionByDefault, an account setting of one region
 * (the incident's). New volumes are encrypted again, with the region's default KMS key, which
 * DisableEbsEncryptionByDefault does not change; volumes made meanwhile stay as they are.
 */

export interface EbsDefaultTarget {
  accountId: string;
  region: string;
}

export interface EbsDefaultState {
  enabled: boolean;
}

export const enableEbsDefaultEncryptionPlanner: ActionPlanner<EbsDefaultTarget, EbsDefaultState> = {
  id: "ebs-enable-default-encryption",
  description: "Turn EBS encryption by default back on in the region (EnableEbsEncryptionByDefault).",
  permissions: ["ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault"],
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["DisableEbsEncryptionByDefault"], {}, "EnableEbsEncryptionByDefault");
    if (!undone.ok) return undone;
    if (!ID_PATTERNS.account.test(incident.account)) return notApplicable("the incident names no valid account id");
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    return ok({ accountId: incident.account, region: incident.region });
  },
  label: (target) => `EBS encryption by default (account ${target.accountId}, ${target.region})`,
  describe: ({ target }) =>
    `Turn EBS encryption by default back on for account ${target.accountId} in ${target.region}: new volumes there are encrypted again; existing volumes are not changed.`,
  assume: () => ({ enabled: false }),
  plan: ({ target, state }) =>
    state.enabled ? [] : [awsCall("ec2", "EnableEbsEncryptionByDefault", {}, target.region)],
};
