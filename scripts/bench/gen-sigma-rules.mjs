#!/usr/bin/env node
// Writes N Sigma rules (logsource product aws, service cloudtrail) for the scan benchmark with
// imported rules (issue 17): selections on eventSource/eventName and request fields, in the forms
// SigmaHQ's AWS rules use (exact values, |contains, |startswith, |endswith, filters with `not`,
// `1 of selection_*`). Written for this project; no Sigma rule text is copied.
//
//   node scripts/bench/gen-sigma-rules.mjs OUT_DIR [COUNT=300] [UNPINNED=0]
//
// UNPINNED of the COUNT rules select on eventName (and a request field) without pinning an
// eventSource, as a few Sigma rules do: those are tested on every event. Then translate them:
//   node bin/riposte.mjs rules import-sigma OUT_DIR --out RULES_DIR
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [out, countText = "300", unpinnedText = "0"] = process.argv.slice(2);
if (!out) {
  console.error("usage: gen-sigma-rules.mjs OUT_DIR [COUNT] [UNPINNED]");
  process.exit(2);
}
const count = Number(countText);
const unpinned = Number(unpinnedText);
mkdirSync(out, { recursive: true });

// Sources and names the benchmark corpus is busy with, and others it has few of.
const SERVICES = {
  "iam.amazonaws.com": [
    "ListUsers",
    "CreateUser",
    "AttachUserPolicy",
    "CreateAccessKey",
    "PutRolePolicy",
    "UpdateAssumeRolePolicy",
    "CreateLoginProfile",
    "DeleteRolePermissionsBoundary",
  ],
  "kms.amazonaws.com": ["Decrypt", "ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy", "CreateGrant"],
  "s3.amazonaws.com": [
    "GetBucketLocation",
    "ListBuckets",
    "PutBucketPolicy",
    "PutBucketAcl",
    "DeleteBucketEncryption",
    "PutBucketReplication",
    "GetObject",
  ],
  "ec2.amazonaws.com": [
    "DescribeInstances",
    "DescribeSecurityGroups",
    "AuthorizeSecurityGroupIngress",
    "ModifyInstanceAttribute",
    "CreateKeyPair",
    "ModifySnapshotAttribute",
    "GetPasswordData",
  ],
  "sts.amazonaws.com": ["AssumeRole", "GetFederationToken", "GetSessionToken"],
  "lambda.amazonaws.com": [
    "ListFunctions20150331",
    "UpdateFunctionCode20150331v2",
    "AddPermission20150331v2",
    "CreateFunction20150331",
  ],
  "monitoring.amazonaws.com": ["GetMetricData", "DeleteAlarms", "DisableAlarmActions"],
  "cloudtrail.amazonaws.com": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"],
  "guardduty.amazonaws.com": ["DeleteDetector", "UpdateDetector", "CreateFilter"],
  "secretsmanager.amazonaws.com": ["GetSecretValue", "DeleteSecret", "PutResourcePolicy"],
  "ssm.amazonaws.com": ["GetParameter", "SendCommand", "StartSession"],
  "rds.amazonaws.com": ["ModifyDBInstance", "RestoreDBInstanceFromDBSnapshot", "ModifyDBSnapshotAttribute"],
  "route53.amazonaws.com": ["ChangeResourceRecordSets", "DisableDomainTransferLock"],
  "ecs.amazonaws.com": ["RegisterTaskDefinition", "RunTask"],
  "sso.amazonaws.com": ["CreatePermissionSet", "AttachManagedPolicyToPermissionSet"],
};
const REQUEST_FIELDS = [
  "userName",
  "roleArn",
  "bucketName",
  "keyId",
  "functionName",
  "policyDocument",
  "instanceId",
  "name",
];
const services = Object.entries(SERVICES);
const levels = ["low", "medium", "high", "critical"];

const pad = (n) => String(n).padStart(4, "0");
const uuid = (n) => `5b0e6a1c-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

for (let i = 0; i < count; i++) {
  const [source, names] = services[i % services.length];
  const name = names[Math.floor(i / services.length) % names.length];
  const field = REQUEST_FIELDS[i % REQUEST_FIELDS.length];
  const form = i % 5;
  const pinned = i >= unpinned;
  const lines = [
    `title: Bench rule ${pad(i)} ${name}`,
    `id: ${uuid(i)}`,
    "status: experimental",
    `description: Benchmark rule ${i} on ${source} ${name} with a request field test`,
    "author: riposte bench",
    "date: 2026-12-06",
    "tags:",
    "  - attack.persistence",
    "  - attack.t1098",
    "logsource:",
    "  product: aws",
    "  service: cloudtrail",
    "detection:",
    "  selection:",
    ...(pinned ? [`    eventSource: ${source}`] : []),
  ];
  switch (form) {
    case 0: // an event name and a request field suffix (a bare busy name would fire on most events)
      lines.push(
        `    eventName: ${name}`,
        `    requestParameters.${field}|endswith: '-bench-${i}'`,
        "  condition: selection",
      );
      break;
    case 1: // a list of event names and a request field prefix
      lines.push(
        "    eventName:",
        `      - ${name}`,
        `      - ${names[(i + 1) % names.length]}`,
        `    requestParameters.${field}|startswith: 'bench-${i}-'`,
        "  condition: selection",
      );
      break;
    case 2: // contains on a request field, with an exclusion
      lines.push(
        `    eventName: ${name}`,
        `    requestParameters.${field}|contains: 'suspicious-${i}'`,
        "  filter:",
        `    userIdentity.arn|endswith: ':role/bench-admin-${i}'`,
        "  condition: selection and not filter",
      );
      break;
    case 3: // two selections, any of them
      lines.push(
        `    eventName: ${name}`,
        `    requestParameters.${field}: 'bench-value-${i}'`,
        "  selection_error:",
        ...(pinned ? [`    eventSource: ${source}`] : []),
        `    eventName: ${name}`,
        "    errorCode: AccessDenied",
        "  condition: 1 of selection*",
      );
      break;
    default: // contains on the whole requestParameters object (searched as JSON text)
      lines.push(
        `    eventName: ${name}`,
        `    requestParameters|contains: 'bench-marker-${i}'`,
        "  condition: selection",
      );
  }
  lines.push("falsepositives:", "  - Benchmark only", `level: ${levels[i % levels.length]}`, "");
  writeFileSync(join(out, `bench_${pad(i)}.yml`), lines.join("\n"));
}
console.log(JSON.stringify({ out, rules: count, unpinned }));
