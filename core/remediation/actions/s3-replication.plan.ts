import type { ReplicationRule } from "@aws-sdk/client-s3";
import { foreignReplicationAccount, isForeignAccount } from "../../risk/foreign-accounts.js";
import { awsCall } from "../aws/calls.js";
import type { ActionPlanner, IncidentView } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";
import { resolveBucket } from "./s3-target.js";

/**
 * `s3-remove-foreign-replication`: stop a bucket replicating to a foreign account. The replication
 * configuration is read (and kept in the before-snapshot, so it can be put back); when every rule
 * goes to a foreign account it is deleted (DeleteBucketReplication), else it is put back with only
 * those rules removed (PutBucketReplication, same role). Foreign means what the detection means:
 * neither this account nor in `trustedAccounts` (`core/risk/foreign-accounts.ts`). Replicas
 * already copied stay in the other account's bucket: that is reported, it cannot be undone here.
 */

export interface ReplicationTarget {
  bucket: string;
  /** The foreign accounts the event named (for people; the live read decides what is removed). */
  accounts: string[];
}

export interface ReplicationState {
  /** The bucket's replication configuration; absent when it has none. */
  configuration?: { Role?: string; Rules: ReplicationRule[] };
}

/** The foreign-account judgement for the incident's account. */
function foreignTo(incident: IncidentView, trusted: readonly string[]) {
  return (account: string) => isForeignAccount(account, incident.account, trusted);
}

/** The foreign accounts the rules replicate to. */
export function foreignAccountsOf(
  rules: readonly ReplicationRule[],
  isForeign: (account: string) => boolean,
): string[] {
  return [...new Set(rules.flatMap((rule) => foreignReplicationAccount(rule, isForeign) ?? []))];
}

const COPIED = "objects already replicated stay in the other account's bucket: ask its owner to delete them";

export const removeForeignReplicationPlanner: ActionPlanner<ReplicationTarget, ReplicationState> = {
  id: "s3-remove-foreign-replication",
  description:
    "Stop the bucket replicating to foreign accounts: delete its replication configuration, or put it back without the foreign-account rules.",
  permissions: ["s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration", "s3:GetBucketTagging"],
  // Replication someone relies on (a partner, a backup account missing from trustedAccounts) stops.
  destructive: true,
  // PutBucketReplication (some rules kept) passes the configuration's own role back to S3.
  passesRoleTo: ["s3.amazonaws.com"],
  resolve(incident) {
    const facts = incident.facts;
    const undone = undoneEvent(facts, ["PutBucketReplication"], {}, "removing the foreign replication");
    if (!undone.ok) return undone;
    const bucket = resolveBucket(facts);
    if (!bucket.ok) return bucket;
    if (!ID_PATTERNS.account.test(incident.account)) return notApplicable("the incident names no valid account");
    const named = Array.isArray(facts.destinationAccounts) ? facts.destinationAccounts : [];
    const accounts = named.filter(
      (account): account is string => typeof account === "string" && ID_PATTERNS.account.test(account),
    );
    return ok({ bucket: bucket.target.bucket, accounts: [...new Set(accounts)] });
  },
  label: (target) => target.bucket,
  describe: ({ target }) =>
    `Stop bucket ${target.bucket} replicating to ${target.accounts.length > 0 ? `account ${target.accounts.join(", ")}` : "foreign accounts"}: delete its replication configuration when every rule goes to a foreign account, else put it back without those rules (the whole configuration is kept to undo); ${COPIED}.`,
  // From the facts alone: the rules the event set that replicate to the accounts it named.
  assume: ({ target }) => ({
    configuration: {
      Rules: target.accounts.map((account) => ({
        Status: "Enabled",
        Destination: { Bucket: undefined, Account: account },
      })),
    },
  }),
  plan({ target, state, incident, config }) {
    const rules = state.configuration?.Rules ?? [];
    const isForeign = foreignTo(incident, config.trustedAccounts);
    const kept = rules.filter((rule) => foreignReplicationAccount(rule, isForeign) === undefined);
    if (kept.length === rules.length) return [];
    if (kept.length === 0)
      return [awsCall("s3", "DeleteBucketReplication", { Bucket: target.bucket }, incident.region)];
    return [
      awsCall(
        "s3",
        "PutBucketReplication",
        { Bucket: target.bucket, ReplicationConfiguration: { Role: state.configuration?.Role, Rules: kept } },
        incident.region,
      ),
    ];
  },
};
