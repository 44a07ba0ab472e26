import { declareDetection } from "../declare.js";
import { accountOf, identityFacts, principalOf, quote, str } from "../record.js";

/**
 * DisableEbsEncryptionByDefault takes no parameters (CloudTrail logs an empty
 * `DisableEbsEncryptionByDefaultRequest`) and changes a setting of the account in one region:
 * the finding's account and region are the target.
 */
export const ebsDefaultEncryptionDisabled = declareDetection({
  id: "ebs-default-encryption-disabled",
  title: "EBS encryption by default turned off",
  category: "storage",
  severity: "medium",
  attack: { id: "T1562", name: "Impair Defenses" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices", "TTPs/Defense Evasion"],
  description:
    "ec2:DisableEbsEncryptionByDefault succeeded: new EBS volumes and snapshot copies in that account and region are no longer encrypted unless each request asks for it.",
  why: "With the default off, new volumes and the snapshots taken from them are unencrypted unless each request asks otherwise; unencrypted snapshots can be made public or shared with any account, while encrypted ones cannot be made public and sharing them needs access to the key. Existing volumes keep their encryption.",
  tuning:
    "Rarely changed on purpose. Turn the detection off (`detections.ebs-default-encryption-disabled.enabled: false`) where the default is deliberately left off.",
  response: { mode: "auto", action: "ebs-enable-default-encryption" },
  calls: [{ source: "aws.ec2", names: ["DisableEbsEncryptionByDefault"] }],
  match: (record) => {
    const account = accountOf(record);
    const region = str(record.awsRegion);
    return {
      resource: `${account}/${region}`,
      summary: `${quote(principalOf(record))} turned off EBS encryption by default in ${quote(region || "unknown region", 20)}`,
      facts: { eventName: "DisableEbsEncryptionByDefault", ...identityFacts(record) },
    };
  },
});
