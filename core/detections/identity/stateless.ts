import { cloudTrailDraft } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { at, identityFacts, type Json, principalOf, quote, str, succeeded } from "../record.js";
import type { StatelessDetection } from "../types.js";

/** Identity detections that need one event each. */

const API_CALL = "AWS API Call via CloudTrail";
const SIGN_IN = "AWS Console Sign In via CloudTrail";

export const rootAccountUsage: StatelessDetection = {
  id: "root-account-usage",
  title: "Root user activity",
  category: "identity",
  severity: "high",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  stateful: false,
  description:
    "The account's root user signed in or made a successful call. Calls AWS services make on the root user's behalf (invokedBy) and failed attempts are not counted.",
  why: "The root user cannot be restricted by IAM policies; everyday work should never need it, so any use is either a rare, planned task or a stolen credential.",
  tuning:
    "Expected root tasks (closing the account, changing the support plan) still fire: acknowledge them. Set the mode to notify (the default) — the root user cannot carry the deny policies remediation would use.",
  response: { mode: "notify" },
  buildPattern: () => ({
    "detail-type": [API_CALL, SIGN_IN, "AWS Console Action via CloudTrail"],
    detail: {
      userIdentity: { type: ["Root"], invokedBy: [{ exists: false }] },
      ...NO_ERROR,
      responseElements: {
        ConsoleLogin: [{ exists: false }, { "anything-but": "Failure" }],
        PasswordUpdated: [{ exists: false }, { "anything-but": "Failure" }],
      },
    },
  }),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    if (!succeeded(record)) return undefined;
    const action = `${str(record.eventSource).replace(".amazonaws.com", "")}:${quote(str(record.eventName), 60)}`;
    return cloudTrailDraft(envelope, {
      resource: principalOf(record),
      summary: `Root user ${record.eventName === "ConsoleLogin" ? "signed in to the console" : `called ${action}`} from ${quote(str(record.sourceIPAddress) || "an unknown address", 60)}`,
      facts: { ...identityFacts(record), eventName: str(record.eventName) },
    });
  },
};

export const consoleLoginFailure: StatelessDetection = {
  id: "console-login-failure",
  title: "Failed console sign-in",
  category: "identity",
  severity: "low",
  attack: { id: "T1110", name: "Brute Force" },
  stateful: false,
  description: "A console sign-in failed (wrong password, or a user name that does not exist).",
  why: "Single failures are usually typos; they matter as the raw material of password guessing, which console-login-brute-force correlates.",
  tuning:
    "Notify only by default. Turn it off (`detections.console-login-failure.enabled: false`) to keep only the brute-force correlation.",
  response: { mode: "notify" },
  buildPattern: () => ({
    source: ["aws.signin"],
    "detail-type": [SIGN_IN],
    detail: {
      eventSource: ["signin.amazonaws.com"],
      eventName: ["ConsoleLogin"],
      responseElements: { ConsoleLogin: ["Failure"] },
    },
  }),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const facts = identityFacts(record);
    return cloudTrailDraft(envelope, {
      resource: principalOf(record) || str(at(record, "userIdentity", "userName")),
      summary: `Failed console sign-in for ${quote(principalOf(record) || "an unknown user")} from ${quote(str(record.sourceIPAddress), 60)}${
        str(record.errorMessage) ? ` (${quote(str(record.errorMessage), 60)})` : ""
      }`,
      facts,
    });
  },
};

export const mfaDeactivated: StatelessDetection = {
  id: "mfa-deactivated",
  title: "MFA device deactivated",
  category: "identity",
  severity: "high",
  attack: { id: "T1556.006", name: "Modify Authentication Process: Multi-Factor Authentication" },
  stateful: false,
  description:
    "An MFA device was deactivated (DeactivateMFADevice) or a virtual MFA device deleted (DeleteVirtualMFADevice).",
  why: "Removing MFA is how an attacker who has a password keeps access without the second factor, and it weakens the account for everyone after.",
  tuning:
    "Device replacements by the user themself fire too; they are followed by EnableMFADevice. Notify only by default.",
  response: { mode: "notify" },
  buildPattern: () => apiCalls("aws.iam", ["DeactivateMFADevice", "DeleteVirtualMFADevice"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const target = str(at(record, "requestParameters", "userName")) || str(at(record, "userIdentity", "userName"));
    const serial = str(at(record, "requestParameters", "serialNumber"));
    return cloudTrailDraft(envelope, {
      resource: target ? `user/${target}` : serial,
      summary: `${quote(principalOf(record))} ${record.eventName === "DeactivateMFADevice" ? "deactivated the MFA device" : "deleted the virtual MFA device"} ${quote(serial, 100)}${target ? ` of ${quote(target, 64)}` : ""}`,
      facts: { ...identityFacts(record), serialNumber: serial, eventName: str(record.eventName) },
    });
  },
};

const CREDENTIAL_CALLS = ["CreateLoginProfile", "UpdateLoginProfile", "ChangePassword", "PasswordUpdated"];

export const credentialChange: StatelessDetection = {
  id: "credential-change",
  title: "Console password created or changed",
  category: "identity",
  severity: "medium",
  attack: { id: "T1098", name: "Account Manipulation" },
  stateful: false,
  description:
    "A console password was created or changed: CreateLoginProfile, UpdateLoginProfile, ChangePassword, or the root user's PasswordUpdated sign-in event.",
  why: "Setting someone's password (or giving a key-only user a console login) is a classic way to take over or persist in an identity.",
  tuning:
    "Password rotations fire too. A user changing their own password is lower risk than an admin setting another user's; the finding says which.",
  response: { mode: "notify" },
  buildPattern: () => ({
    source: ["aws.iam", "aws.signin"],
    "detail-type": [API_CALL, SIGN_IN],
    detail: {
      eventSource: ["iam.amazonaws.com", "signin.amazonaws.com"],
      eventName: CREDENTIAL_CALLS,
      ...NO_ERROR,
      responseElements: { PasswordUpdated: [{ exists: false }, "Success"] },
    },
  }),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    if (!succeeded(record)) return undefined;
    const actor = principalOf(record);
    const target =
      str(at(record, "requestParameters", "userName")) || str(at(record, "userIdentity", "userName")) || actor;
    const verb =
      record.eventName === "CreateLoginProfile" ? "created a console password for" : "changed the console password of";
    return cloudTrailDraft(envelope, {
      resource: target,
      summary: `${quote(actor)} ${verb} ${target === actor ? "themself" : quote(target, 64)}`,
      facts: { ...identityFacts(record), eventName: str(record.eventName), selfChange: target === actor },
    });
  },
};

export const accessKeyCreated: StatelessDetection = {
  id: "access-key-created",
  title: "Access key created",
  category: "identity",
  severity: "medium",
  attack: { id: "T1098.001", name: "Account Manipulation: Additional Cloud Credentials" },
  stateful: false,
  description: "A new long-term access key was created for an IAM user (or the root user).",
  why: "Long-term keys are the most common way credentials leak, and creating one for another user is a persistence technique.",
  tuning:
    "Key rotation creates keys routinely; notify only by default. The finding names the new key, so deactivating it is one approval away if you switch the mode.",
  response: { mode: "notify" },
  buildPattern: () => apiCalls("aws.iam", ["CreateAccessKey"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const facts = identityFacts(record);
    const newKey = str(at(record, "responseElements", "accessKey", "accessKeyId"));
    const owner =
      str(at(record, "responseElements", "accessKey", "userName")) ||
      str(at(record, "requestParameters", "userName")) ||
      str(at(record, "userIdentity", "userName"));
    const actorKey = facts.accessKeyId;
    return cloudTrailDraft(envelope, {
      resource: owner ? `user/${owner}` : principalOf(record),
      summary: `${quote(principalOf(record))} created access key ${quote(newKey || "(id not logged)", 32)}${owner ? ` for ${quote(owner, 64)}` : ""}`,
      facts: {
        ...facts,
        ...(newKey ? { accessKeyId: newKey } : {}),
        ...(actorKey ? { actorAccessKeyId: actorKey } : {}),
        ...(owner ? { targetUserName: owner, userName: owner } : {}),
      },
    });
  },
};

export const IDENTITY_STATELESS: readonly StatelessDetection[] = [
  rootAccountUsage,
  consoleLoginFailure,
  mfaDeactivated,
  credentialChange,
  accessKeyCreated,
];
