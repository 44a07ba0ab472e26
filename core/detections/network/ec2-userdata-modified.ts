import { declareDetection, request } from "../declare.js";
import { identityFacts, type Json, principalOf, quote, str } from "../record.js";

/**
 * ModifyInstanceAttribute changes one attribute per call. CloudTrail logs a user data change as
 * `{"instanceId": ..., "userData": "<sensitiveDataRemoved>"}` (the script itself is redacted);
 * the API's other form names the attribute: `{"attribute": "userData", "value": ...}`. Other
 * attributes (`instanceType: {"value": ...}`, `disableApiTermination`…) do not count.
 */
function setsUserData(record: Json): boolean {
  const userData = request(record, "userData");
  if (userData !== undefined && userData !== null) return true;
  return str(request(record, "attribute")).trim().toLowerCase() === "userdata";
}

export const ec2UserdataModified = declareDetection({
  id: "ec2-userdata-modified",
  title: "EC2 instance user data modified",
  category: "network",
  severity: "high",
  attack: { id: "T1651", name: "Cloud Administration Command" },
  asff: ["TTPs/Execution", "TTPs/Persistence"],
  description:
    "ec2:ModifyInstanceAttribute succeeded on an instance's user data (`userData`, or `attribute` userData): the script the instance runs at boot was replaced.",
  why: "User data runs as root when the instance starts. Replacing it on a stopped instance is a known way to run commands on a host without SSH or Session Manager — to plant a backdoor or steal the instance role's credentials at its next start.",
  tuning:
    "Deployment pipelines rarely change the user data of an existing instance (they launch new ones); acknowledge the finding when a known tool did. CloudTrail redacts the new script, so read it with DescribeInstanceAttribute before starting the instance.",
  response: { mode: "notify" },
  calls: [{ source: "aws.ec2", names: ["ModifyInstanceAttribute"] }],
  match: (record) => {
    if (!setsUserData(record)) return undefined;
    const instanceId = str(request(record, "instanceId"));
    return {
      resource: instanceId || "instance",
      summary: `${quote(principalOf(record))} replaced the user data of instance ${quote(instanceId || "unknown", 64)}`,
      facts: { ...identityFacts(record), eventName: str(record.eventName), instanceId },
    };
  },
});
