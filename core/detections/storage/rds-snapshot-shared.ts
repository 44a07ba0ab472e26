import { declareDetection, request } from "../declare.js";
import { identityFacts, list, principalOf, quote, str } from "../record.js";
import { accountIdIn, audience, isEveryone } from "./sharing.js";

const CLUSTER_CALL = "ModifyDBClusterSnapshotAttribute";

export const rdsSnapshotShared = declareDetection({
  id: "rds-snapshot-shared",
  title: "RDS snapshot shared publicly or with a foreign account",
  category: "storage",
  severity: "critical",
  attack: { id: "T1537", name: "Transfer Data to Cloud Account" },
  asff: ["Effects/Data Exfiltration", "Effects/Data Exposure"],
  description:
    "rds:ModifyDBSnapshotAttribute or rds:ModifyDBClusterSnapshotAttribute added to a manual snapshot's `restore` attribute the value `all` (anyone may copy or restore it; critical) or an account that is neither this one nor in `trustedAccounts` (high).",
  why: "A shared database snapshot can be restored in the other account into a database its owner fully controls: the whole database leaves the account in one call, without a single query on the original.",
  tuning:
    "Accounts that legitimately receive snapshots (a backup or disaster-recovery account) belong in `trustedAccounts`; sharing with them does not fire. Removing values never fires.",
  response: { mode: "auto", action: "rds-snapshot-unshare" },
  calls: [{ source: "aws.rds", names: ["ModifyDBSnapshotAttribute", CLUSTER_CALL] }],
  where: () => ({ requestParameters: { attributeName: ["restore"] } }),
  match: (record, context) => {
    if (str(request(record, "attributeName")) !== "restore") return undefined;
    const values = list(request(record, "valuesToAdd"));
    const everyone = values.some(isEveryone);
    const accounts = [...new Set(values.map(accountIdIn).filter(context.isForeignAccount))];
    if (!everyone && accounts.length === 0) return undefined;
    const cluster = str(record.eventName) === CLUSTER_CALL;
    const snapshotIdentifier = str(request(record, cluster ? "dBClusterSnapshotIdentifier" : "dBSnapshotIdentifier"));
    const kind = cluster ? "RDS cluster snapshot" : "RDS snapshot";
    return {
      resource: snapshotIdentifier,
      summary: `${quote(principalOf(record))} shared ${kind} ${quote(snapshotIdentifier || "unknown", 100)} with ${audience(everyone, accounts)}`,
      facts: {
        eventName: str(record.eventName),
        ...identityFacts(record),
        snapshotIdentifier,
        cluster,
        addedValues: [...(everyone ? ["all"] : []), ...accounts],
      },
      severity: everyone ? "critical" : "high",
    };
  },
});
