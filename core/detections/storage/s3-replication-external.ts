import { foreignReplicationAccount } from "../../risk/foreign-accounts.js";
import { declareDetection, request } from "../declare.js";
import { at, identityFacts, isObject, list, principalOf, quote, str } from "../record.js";
import { audience } from "./sharing.js";

export const s3ReplicationExternal = declareDetection({
  id: "s3-replication-external",
  title: "S3 bucket replicated to a foreign account",
  category: "storage",
  severity: "high",
  attack: { id: "T1537", name: "Transfer Data to Cloud Account" },
  asff: ["Effects/Data Exfiltration"],
  description:
    "s3:PutBucketReplication set a replication rule whose destination account (`Destination.Account`) is neither this account nor in `trustedAccounts`.",
  why: "Replication copies every new object (and, with batch replication, the existing ones) into a bucket the other account owns: a quiet, continuous exfiltration channel that survives the attacker losing access.",
  tuning:
    "Backup and disaster-recovery accounts that receive replicas belong in `trustedAccounts`. A rule without `Destination.Account` does not fire: the bucket ARN names no account, so cross-account replication to a bucket of another account that leaves it out is not seen.",
  response: { mode: "approval", action: "s3-remove-foreign-replication" },
  calls: [{ source: "aws.s3", names: ["PutBucketReplication"] }],
  match: (record, context) => {
    // S3 logs the XML body: one <Rule> is an object, several are a list.
    const rules = list(request(record, "ReplicationConfiguration", "Rule")).filter(isObject);
    const destinationAccounts = new Set<string>();
    const destinationBuckets = new Set<string>();
    for (const rule of rules) {
      const account = foreignReplicationAccount(rule, context.isForeignAccount);
      if (!account) continue;
      destinationAccounts.add(account);
      const bucket = str(at(rule, "Destination", "Bucket"));
      if (bucket) destinationBuckets.add(bucket);
    }
    if (destinationAccounts.size === 0) return undefined;
    const bucket = str(request(record, "bucketName"));
    const accounts = [...destinationAccounts];
    return {
      resource: bucket,
      summary: `${quote(principalOf(record))} set bucket ${quote(bucket || "unknown", 64)} to replicate to ${audience(false, accounts)}`,
      facts: {
        eventName: str(record.eventName),
        ...identityFacts(record),
        bucket,
        destinationAccounts: accounts,
        destinationBuckets: [...destinationBuckets],
      },
    };
  },
});
