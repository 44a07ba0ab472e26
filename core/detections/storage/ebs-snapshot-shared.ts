import { declareDetection, request } from "../declare.js";
import { identityFacts, principalOf, quote, str } from "../record.js";
import { addedEc2Permissions, audience } from "./sharing.js";

export const ebsSnapshotShared = declareDetection({
  id: "ebs-snapshot-shared",
  title: "EBS snapshot shared publicly or with a foreign account",
  category: "storage",
  severity: "critical",
  attack: { id: "T1537", name: "Transfer Data to Cloud Account" },
  asff: ["Effects/Data Exfiltration", "Effects/Data Exposure"],
  description:
    "ec2:ModifySnapshotAttribute added create-volume permission on a snapshot for the group `all` (anyone; critical) or for an account that is neither this one nor in `trustedAccounts` (high).",
  why: "Whoever can create a volume from a snapshot holds a full copy of the disk it was taken from — databases, keys, source code. Sharing a snapshot is the quickest way to move a whole volume out of an account, and a public snapshot can be copied by anyone.",
  tuning:
    "Accounts that legitimately receive snapshots (a backup or organisation account) belong in `trustedAccounts`; sharing with them does not fire. Removing permissions never fires. EBS Block Public Access for snapshots stops public sharing before it happens.",
  response: { mode: "auto", action: "ebs-snapshot-unshare" },
  calls: [{ source: "aws.ec2", names: ["ModifySnapshotAttribute"] }],
  where: () => ({ requestParameters: { attributeType: ["CREATE_VOLUME_PERMISSION"] } }),
  match: (record, context) => {
    if (str(request(record, "attributeType")) !== "CREATE_VOLUME_PERMISSION") return undefined;
    const { addedGroups, addedUserIds } = addedEc2Permissions(request(record, "createVolumePermission"), context);
    const everyone = addedGroups.length > 0;
    if (!everyone && addedUserIds.length === 0) return undefined;
    const snapshotId = str(request(record, "snapshotId"));
    return {
      resource: snapshotId,
      summary: `${quote(principalOf(record))} shared EBS snapshot ${quote(snapshotId || "unknown", 64)} with ${audience(everyone, addedUserIds)}`,
      facts: { eventName: str(record.eventName), ...identityFacts(record), snapshotId, addedGroups, addedUserIds },
      severity: everyone ? "critical" : "high",
    };
  },
});
