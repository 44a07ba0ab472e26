import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";
import { principalTypeOf } from "./iam-principal.js";

/**
 * `iam-deactivate-access-key`: UpdateAccessKey Inactive. The key's owner is read live
 * (GetAccessKeyLastUsed names it), so a key is never deactivated on the wrong user; the facts'
 * user name only fills the static plan.
 */

export interface AccessKeyTarget {
  accessKeyId: string;
  /** The owner the facts suggest: the user acting with the key (else the user a key was made for). */
  userNameHint?: string;
}

export interface AccessKeyState {
  userName?: string;
  status?: string;
}

export const deactivateAccessKeyPlanner: ActionPlanner<AccessKeyTarget, AccessKeyState> = {
  id: "iam-deactivate-access-key",
  description: "Deactivate the access key (UpdateAccessKey Inactive); it can be reactivated.",
  permissions: ["iam:GetAccessKeyLastUsed", "iam:ListAccessKeys", "iam:GetUser", "iam:UpdateAccessKey"],
  // Whatever legitimately uses the key stops working.
  destructive: true,
  resolve(incident) {
    const facts = incident.facts;
    const key = facts.accessKeyId;
    if (typeof key !== "string" || !ID_PATTERNS.accessKey.test(key))
      return notApplicable("the incident's facts name no access key");
    if (key.startsWith("ASIA")) {
      return notApplicable(
        `${key} is a temporary (STS) credential: it cannot be deactivated, revoke its sessions instead`,
      );
    }
    if (principalTypeOf(facts, incident.principal) === "Root") {
      return notApplicable("root access keys can only be managed by the root user: remove them by hand");
    }
    const hint = [facts.userName, facts.targetUserName].find(
      (name): name is string => typeof name === "string" && ID_PATTERNS.iamName.test(name),
    );
    return ok({ accessKeyId: key, ...(hint ? { userNameHint: hint } : {}) });
  },
  label: (target) => `access key ${target.accessKeyId}`,
  describe: ({ target }) =>
    `Deactivate access key ${target.accessKeyId}${target.userNameHint ? ` (user ${target.userNameHint})` : ""}; it can be reactivated after review.`,
  assume: ({ target }) => ({ ...(target.userNameHint ? { userName: target.userNameHint } : {}), status: "Active" }),
  plan({ target, state, incident }) {
    if (state.status === "Inactive") return [];
    return [
      awsCall(
        "iam",
        "UpdateAccessKey",
        {
          UserName: state.userName ?? liveValue("GetAccessKeyLastUsed.UserName"),
          AccessKeyId: target.accessKeyId,
          Status: "Inactive",
        },
        incident.region,
      ),
    ];
  },
};
