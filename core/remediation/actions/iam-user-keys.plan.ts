import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `iam-deactivate-user-keys`: UpdateAccessKey Inactive on every active access key of the user the
 * incident names as its target (`targetUserName`), for when AWS quarantined one of them: the event
 * (AttachUserPolicy of AWSCompromisedKeyQuarantine) does not say which key leaked, and the
 * quarantine policy only denies a few actions, so every key of the user is deactivated.
 *
 * Not `iam-deactivate-access-key` with another target: that action deactivates the key named by
 * `accessKeyId`, which in these incidents is the key of whoever attached the policy (AWS or a
 * person), never the leaked one.
 */

export interface UserKeysTarget {
  userName: string;
}

export interface UserKeysState {
  /** The user's access keys and their status; unknown until read live. */
  keys?: { accessKeyId: string; status?: string }[];
}

export const deactivateUserKeysPlanner: ActionPlanner<UserKeysTarget, UserKeysState> = {
  id: "iam-deactivate-user-keys",
  description: "Deactivate every active access key of the user (UpdateAccessKey Inactive); they can be reactivated.",
  permissions: ["iam:GetUser", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
  // Whatever legitimately uses the user's keys stops working.
  destructive: true,
  resolve(incident) {
    const name = incident.facts.targetUserName;
    if (typeof name !== "string" || !ID_PATTERNS.iamName.test(name)) {
      return notApplicable("the incident's facts name no IAM user whose keys to deactivate (targetUserName)");
    }
    return ok({ userName: name });
  },
  label: (target) => `access keys of user ${target.userName}`,
  describe: ({ target }) =>
    `Deactivate every active access key of user ${target.userName}; they can be reactivated after review, once the leaked one is replaced.`,
  assume: () => ({}),
  plan({ target, state, incident }) {
    const active = state.keys?.filter((key) => key.status === "Active").map((key) => key.accessKeyId) ?? [
      liveValue("ListAccessKeys.AccessKeyMetadata[Status=Active].AccessKeyId"),
    ];
    return active.map((accessKeyId) =>
      awsCall(
        "iam",
        "UpdateAccessKey",
        { UserName: target.userName, AccessKeyId: accessKeyId, Status: "Inactive" },
        incident.region,
      ),
    );
  },
};
