/**
 * Generated rule patterns with the variety users' and imported rules have (written for this
 * project, no third-party rule text): exact calls of many services, `eventName` prefixes and
 * wildcards, case-insensitive names, rules on a service with no `eventName` pin, rules with no
 * `source` at all (on the caller, the error, the address), `$or`, `anything-but`, and a few with
 * nothing exact to index (a `cidr`, a numeric range). Deterministic for a seed. The calls are drawn
 * from a vocabulary of several hundred, the calls of the scan bench's corpus among them, so about
 * as many rules concern the corpus's busy calls as any other.
 */
import type { EventPattern } from "../../core/detections/types.js";

const SERVICES: Record<string, string[]> = {
  ec2: ["Instances", "SecurityGroups", "RouteTables", "Snapshots", "Volumes", "Vpcs", "Images", "KeyPairs", "Tags"],
  s3: ["Bucket", "BucketAcl", "BucketPolicy", "BucketEncryption", "BucketReplication", "Object", "BucketLogging"],
  iam: ["User", "Role", "Policy", "AccessKey", "LoginProfile", "Group", "RolePolicy", "UserPolicy", "MFADevice"],
  kms: ["Key", "Alias", "Grant", "KeyPolicy", "KeyRotation"],
  sts: ["Role", "SessionToken", "FederationToken", "CallerIdentity"],
  lambda: ["Function", "Alias", "Permission", "EventSourceMapping", "Layer"],
  cloudtrail: ["Trail", "Logging", "EventSelectors", "InsightSelectors"],
  logs: ["LogGroup", "LogStream", "RetentionPolicy", "SubscriptionFilter"],
  ssm: ["Parameter", "Document", "Session", "Association"],
  secretsmanager: ["Secret", "SecretValue", "ResourcePolicy", "RotationSchedule"],
  rds: ["DBInstance", "DBSnapshot", "DBCluster", "DBParameterGroup"],
  guardduty: ["Detector", "Filter", "IPSet", "ThreatIntelSet"],
  config: ["ConfigurationRecorder", "DeliveryChannel", "ConfigRule"],
  organizations: ["Account", "Policy", "OrganizationalUnit"],
  ecr: ["Repository", "RepositoryPolicy", "Image", "LifecyclePolicy"],
  eks: ["Cluster", "Nodegroup", "AccessEntry"],
  sns: ["Topic", "Subscription", "TopicAttributes"],
  sqs: ["Queue", "QueueAttributes", "Permission"],
  dynamodb: ["Table", "Backup", "ContinuousBackups"],
  cloudformation: ["Stack", "StackSet", "ChangeSet"],
};
const VERBS = ["Create", "Delete", "Put", "Update", "Get", "List", "Describe", "Modify", "Attach", "Detach", "Enable"];

/** The scan bench corpus's own calls (`scan.bench.ts`), part of the vocabulary. */
const CORPUS_CALLS: [string, string][] = [
  ["ec2", "DescribeInstances"],
  ["ec2", "DescribeSecurityGroups"],
  ["ec2", "DescribeRouteTables"],
  ["ec2", "CreateTags"],
  ["s3", "GetBucketAcl"],
  ["s3", "ListBuckets"],
  ["iam", "GetUser"],
  ["iam", "ListRoles"],
  ["ssm", "GetParameter"],
  ["secretsmanager", "GetSecretValue"],
  ["lambda", "ListFunctions20150331"],
  ["cloudtrail", "DescribeTrails"],
  ["logs", "DescribeLogGroups"],
  ["kms", "Decrypt"],
  ["sts", "AssumeRole"],
  ["signin", "ConsoleLogin"],
];

const CALLS: [string, string][] = [
  ...Object.entries(SERVICES).flatMap(([service, nouns]) =>
    nouns.flatMap((noun) => VERBS.map((verb): [string, string] => [service, `${verb}${noun}`])),
  ),
  ...CORPUS_CALLS,
];

const API_CALL = ["AWS API Call via CloudTrail"];

/** The shapes, with their weights in a thousand rules. */
const SHAPES = {
  /** source, eventSource and one to three names of one service, maybe a condition more. */
  exactCalls: 420,
  /** An `eventName` prefix (`Delete`, `Put`) on one service. */
  namePrefix: 80,
  /** An `eventName` wildcard (`Put*Policy`) on one service. */
  nameWildcard: 50,
  /** `equals-ignore-case` names. */
  foldedName: 30,
  /** A service with no name pin: a request field, an error code. */
  serviceOnly: 100,
  /** No source or name: the caller's type, an error, an access key, an address, an ARN suffix. */
  noSource: 100,
  /** `$or` of names with different conditions, or of a name and a caller. */
  or: 110,
  /** A service with every name but a few (`anything-but`). */
  anythingBut: 80,
  /** Nothing exact to look up: only a `cidr`, a numeric range, `anything-but`. */
  unindexable: 30,
};
export type RuleShape = keyof typeof SHAPES;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` generated patterns and how many of each shape. */
export function generateRulePatterns(
  count: number,
  seed = 7,
): { patterns: EventPattern[]; shapes: Record<RuleShape, number> } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const total = Object.values(SHAPES).reduce((sum, weight) => sum + weight, 0);
  const shapeOf = (): RuleShape => {
    let roll = next() * total;
    for (const [shape, weight] of Object.entries(SHAPES) as [RuleShape, number][]) {
      roll -= weight;
      if (roll < 0) return shape;
    }
    return "exactCalls";
  };
  const pinned = (service: string) => ({
    source: [`aws.${service}`],
    "detail-type": API_CALL,
  });
  const eventSource = (service: string) => [`${service}.amazonaws.com`];
  const extra = (): Record<string, unknown> =>
    pick([
      {},
      { errorCode: [{ exists: false }] },
      { errorCode: ["AccessDenied", "UnauthorizedOperation"] },
      { userIdentity: { type: ["IAMUser"] } },
      { userIdentity: { type: [{ "anything-but": ["AWSService"] }] } },
      { readOnly: [false] },
      { requestParameters: { maxResults: [{ numeric: [">", 100] }] } },
    ]);
  const shapes = Object.fromEntries(Object.keys(SHAPES).map((shape) => [shape, 0])) as Record<RuleShape, number>;

  const make: Record<RuleShape, () => EventPattern> = {
    exactCalls: () => {
      const [service, name] = pick(CALLS);
      const names = [name, ...Array.from({ length: Math.floor(next() * 3) }, () => pick(CALLS)[1])];
      return {
        ...pinned(service),
        detail: { eventSource: eventSource(service), eventName: [...new Set(names)], ...extra() },
      };
    },
    namePrefix: () => {
      const [service] = pick(CALLS);
      return {
        ...pinned(service),
        detail: { eventSource: eventSource(service), eventName: [{ prefix: pick(VERBS) }], ...extra() },
      };
    },
    nameWildcard: () => {
      const service = pick(Object.keys(SERVICES));
      const noun = pick(SERVICES[service]!);
      return {
        ...pinned(service),
        detail: { eventSource: eventSource(service), eventName: [{ wildcard: `${pick(VERBS)}*${noun.slice(-6)}` }] },
      };
    },
    foldedName: () => {
      const [service, name] = pick(CALLS);
      return {
        detail: { eventSource: eventSource(service), eventName: [{ "equals-ignore-case": name.toLowerCase() }] },
      };
    },
    serviceOnly: () => {
      const [service] = pick(CALLS);
      return {
        ...pinned(service),
        detail: {
          eventSource: eventSource(service),
          ...pick<Record<string, unknown>>([
            { errorCode: ["AccessDenied"] },
            { requestParameters: { bucketName: [{ prefix: "prod-" }] } },
            { requestParameters: { roleArn: [{ suffix: "/Admin" }] } },
            { userIdentity: { type: ["Root"] } },
            { responseElements: { _return: [false] } },
          ]),
        },
      };
    },
    noSource: () => ({
      "detail-type": API_CALL,
      detail: pick<Record<string, unknown>>([
        { userIdentity: { type: ["Root"] }, errorCode: [{ exists: false }] },
        { errorCode: ["AccessDenied", "Client.UnauthorizedOperation"] },
        { userIdentity: { accessKeyId: [`AKIA${Math.floor(next() * 1e8)}`.padEnd(20, "0")] } },
        { sourceIPAddress: [`198.51.100.${Math.floor(next() * 250)}`, `203.0.113.${Math.floor(next() * 250)}`] },
        { userIdentity: { arn: [{ suffix: `:user/breakglass-${Math.floor(next() * 9)}` }] } },
        { userAgent: [{ prefix: pick(["kali", "sqlmap", "nmap", "masscan"]) }] },
        { userIdentity: { sessionContext: { sessionIssuer: { userName: [`deploy-${Math.floor(next() * 50)}`] } } } },
      ]),
    }),
    or: () => {
      const [service, name] = pick(CALLS);
      const [, other] = pick(CALLS.filter(([owner]) => owner === service));
      return pick<() => EventPattern>([
        () => ({
          ...pinned(service),
          detail: {
            $or: [{ eventName: [name] }, { eventName: [other], errorCode: [{ exists: true }] }],
          },
        }),
        () => ({
          "detail-type": API_CALL,
          $or: [{ detail: { eventName: [name] } }, { detail: { userIdentity: { type: ["Root"] } } }],
        }),
        () => ({
          ...pinned(service),
          detail: {
            eventName: [name],
            $or: [{ errorCode: [{ exists: true }] }, { userIdentity: { type: [{ "anything-but": "AssumedRole" }] } }],
          },
        }),
      ])();
    },
    anythingBut: () => {
      const [service, name] = pick(CALLS);
      return {
        ...pinned(service),
        detail: {
          eventSource: eventSource(service),
          eventName: [{ "anything-but": [name, pick(CALLS)[1]] }],
          readOnly: [false],
        },
      };
    },
    unindexable: () =>
      pick<EventPattern>([
        { detail: { sourceIPAddress: [{ cidr: "198.51.100.0/24" }] } },
        { detail: { eventSource: [{ "anything-but": { prefix: "s3" } }], readOnly: [{ exists: false }] } },
        { detail: { requestParameters: { durationSeconds: [{ numeric: [">", 43200] }] } } },
      ]),
  };

  const patterns: EventPattern[] = [];
  for (let i = 0; i < count; i++) {
    const shape = shapeOf();
    shapes[shape]++;
    patterns.push(make[shape]());
  }
  return { patterns, shapes };
}
