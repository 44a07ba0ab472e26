import { declareDetection, request } from "../declare.js";
import { identityFacts, principalOf, quote, str } from "../record.js";
import { addedEc2Permissions, audience } from "./sharing.js";

export const amiShared = declareDetection({
  id: "ami-shared",
  title: "AMI shared publicly or with a foreign account",
  category: "storage",
  severity: "high",
  attack: { id: "T1537", name: "Transfer Data to Cloud Account" },
  asff: ["Effects/Data Exfiltration", "Effects/Data Exposure"],
  description:
    "ec2:ModifyImageAttribute added launch permission on an image for the group `all` (anyone; high) or for an account that is neither this one nor in `trustedAccounts` (medium).",
  why: "An image carries its instance's disks: whoever may launch it can copy it and read everything baked in — application code, configuration, credentials left on disk. Sharing an image moves that out of the account without touching the instance.",
  tuning:
    "Accounts that legitimately launch your images (other accounts of the organisation, a build account) belong in `trustedAccounts`; sharing with them does not fire. Removing permissions and sharing with organisations or organisational units do not fire. Images meant for the public are better published from an account kept for that.",
  response: { mode: "auto", action: "ami-unshare" },
  calls: [{ source: "aws.ec2", names: ["ModifyImageAttribute"] }],
  match: (record, context) => {
    const { addedGroups, addedUserIds } = addedEc2Permissions(request(record, "launchPermission"), context);
    const everyone = addedGroups.length > 0;
    if (!everyone && addedUserIds.length === 0) return undefined;
    const imageId = str(request(record, "imageId"));
    return {
      resource: imageId,
      summary: `${quote(principalOf(record))} shared AMI ${quote(imageId || "unknown", 64)} with ${audience(everyone, addedUserIds)}`,
      facts: { eventName: str(record.eventName), ...identityFacts(record), imageId, addedGroups, addedUserIds },
      severity: everyone ? "high" : "medium",
    };
  },
});
