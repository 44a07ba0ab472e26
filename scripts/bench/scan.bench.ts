/**
 * `riposte scan` throughput. Generates a CloudTrail corpus of `.json.gz` files in the AWSLogs
 * layout (≥ RIPOSTE_BENCH_MB megabytes on disk, default 200; a few MB while developing: a
 * realistic mix of read-only calls, role assumptions, KMS, sign-ins, writes and a few attacks),
 * then measures, in one run:
 *   - a baseline that only gunzips and JSON.parses the same files;
 *   - the full scan (intake, time ordering, all 34 detections, findings) and the ratio of the two,
 *     with the default reader threads and in one thread, and the machine's core count;
 *   - the full scan with the detections' patterns, with 340 and with 1,000 over the corpus's first
 *     quarter: the added are generated rules of many shapes (`scan-rules.ts`, `rule-variety.ts`),
 *     matched on every event and then dropped;
 *   - the peak resident memory of `riposte scan` over that quarter and over the whole corpus, and
 *     the whole command's speed (start-up included) against the baseline's;
 *   - the whole command over the whole corpus with 300 rules imported from Sigma against the
 *     built-in detections only (`scan-imported.ts`).
 * Speeds are events per second on this machine; compare the ratios, not the absolute figures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseConfig } from "../../core/config/load.js";
import { PARALLEL_MIN_BYTES, type ScanOptions, scanFiles } from "../../core/engine/scan.js";
import { normalizeRecords } from "../../core/events/index.js";
import type { EventEnvelope } from "../../core/model/event.js";
import { runCli } from "./cli-run.js";
import { scanWithImportedRules } from "./scan-imported.js";
import { scanAtRuleCounts } from "./scan-rules.js";

const ACCOUNTS = ["111122223333", "444455556666"];
const REGIONS = ["us-east-1", "us-east-1", "us-east-1", "eu-west-1", "eu-west-1", "us-west-2"];
const PUBLIC_IPS = [
  "81.2.69.142",
  "2.125.160.216",
  "216.160.83.56",
  "89.160.20.112",
  "24.48.0.1",
  "98.97.0.1",
  "136.24.229.58",
];
const AWS_IPS = ["52.95.110.1", "3.5.140.2", "13.54.1.1"];
const AGENTS = [
  "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22",
  "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.141.0",
  "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.1 cfg/retry-mode#legacy Botocore/1.34.0",
  "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
];
const READS: [string, string][] = [
  ["ec2.amazonaws.com", "DescribeInstances"],
  ["ec2.amazonaws.com", "DescribeSecurityGroups"],
  ["ec2.amazonaws.com", "DescribeRouteTables"],
  ["s3.amazonaws.com", "GetBucketAcl"],
  ["s3.amazonaws.com", "ListBuckets"],
  ["iam.amazonaws.com", "GetUser"],
  ["iam.amazonaws.com", "ListRoles"],
  ["ssm.amazonaws.com", "GetParameter"],
  ["secretsmanager.amazonaws.com", "GetSecretValue"],
  ["lambda.amazonaws.com", "ListFunctions20150331"],
  ["cloudtrail.amazonaws.com", "DescribeTrails"],
  ["logs.amazonaws.com", "DescribeLogGroups"],
];

let seed = 42;
const random = () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("");
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

let sessionHour = 0;

function identityFor(account: string, n: number) {
  if (n % 3 === 0) {
    const role = `App${n % 7}Role`;
    return {
      type: "AssumedRole",
      principalId: `AROA${hex(16).toUpperCase()}:session-${n}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${n % 11}`,
      accountId: account,
      // A role session keeps its temporary key for the session (here: per session name and hour).
      accessKeyId: `ASIA${role.toUpperCase()}S${n % 11}H${sessionHour}`.padEnd(20, "X"),
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLE",
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: { creationDate: "2024-05-01T00:00:00Z", mfaAuthenticated: "false" },
      },
    };
  }
  const user = `user${n % 40}`;
  return {
    type: "IAMUser",
    principalId: `AIDA${(n % 40).toString().padStart(16, "0")}`,
    arn: `arn:aws:iam::${account}:user/${user}`,
    accountId: account,
    accessKeyId: `AKIA${(n % 40).toString().padStart(16, "0")}`,
    userName: user,
  };
}

/** One CloudTrail record at `time`: mostly reads, some writes, sign-ins, and rare attacks. */
function recordAt(time: Date, account: string, region: string): Record<string, unknown> {
  const n = Math.floor(random() * 1000);
  sessionHour = Math.floor(time.getTime() / 3_600_000) % 1000;
  const userIdentity = identityFor(account, n);
  const base = {
    eventVersion: "1.09",
    userIdentity,
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    awsRegion: region,
    // Each user works from one office address, each role from one AWS region's addresses.
    sourceIPAddress:
      userIdentity.type === "AssumedRole"
        ? AWS_IPS[(n % 7) % AWS_IPS.length]
        : PUBLIC_IPS[(n % 40) % PUBLIC_IPS.length],
    userAgent: pick(AGENTS),
    requestID: uuid(),
    eventID: uuid(),
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `ec2.${region}.amazonaws.com`,
    },
  };
  const roll = random();
  if (roll < 0.62) {
    const [eventSource, eventName] = pick(READS);
    return {
      ...base,
      eventSource,
      eventName,
      readOnly: true,
      requestParameters: { maxResults: 50, filterSet: {} },
      responseElements: null,
    };
  }
  if (roll < 0.78) {
    return {
      ...base,
      eventSource: "kms.amazonaws.com",
      eventName: "Decrypt",
      readOnly: true,
      userIdentity: { type: "AWSService", invokedBy: "secretsmanager.amazonaws.com" },
      sourceIPAddress: "secretsmanager.amazonaws.com",
      requestParameters: {
        encryptionAlgorithm: "SYMMETRIC_DEFAULT",
        encryptionContext: { SecretARN: `arn:aws:secretsmanager:${region}:${account}:secret:db-${n}` },
      },
      responseElements: null,
      resources: [{ accountId: account, type: "AWS::KMS::Key", ARN: `arn:aws:kms:${region}:${account}:key/${uuid()}` }],
    };
  }
  if (roll < 0.9) {
    return {
      ...base,
      eventSource: "sts.amazonaws.com",
      eventName: "AssumeRole",
      readOnly: true,
      requestParameters: {
        roleArn: `arn:aws:iam::${account}:role/App${n % 7}Role`,
        roleSessionName: `session-${n}`,
        durationSeconds: 3600,
      },
      responseElements: {
        credentials: {
          accessKeyId: `ASIA${hex(16).toUpperCase()}`,
          expiration: "May 1, 2024, 11:00:00 AM",
          sessionToken: hex(64),
        },
      },
    };
  }
  if (roll < 0.93) {
    return {
      ...base,
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      eventType: "AwsConsoleSignIn",
      userIdentity: {
        type: "IAMUser",
        principalId: "AIDAX",
        arn: `arn:aws:iam::${account}:user/user${n % 40}`,
        accountId: account,
        userName: `user${n % 40}`,
      },
      sourceIPAddress: PUBLIC_IPS[(n % 40) % PUBLIC_IPS.length],
      userAgent: AGENTS[4],
      requestParameters: null,
      responseElements: { ConsoleLogin: random() < 0.9 ? "Success" : "Failure" },
      additionalEventData: {
        LoginTo: "https://console.aws.amazon.com/console/home",
        MobileVersion: "No",
        MFAUsed: "Yes",
      },
    };
  }
  if (roll < 0.9995) {
    return {
      ...base,
      eventSource: "ec2.amazonaws.com",
      eventName: "CreateTags",
      readOnly: false,
      requestParameters: {
        resourcesSet: { items: [{ resourceId: `i-${hex(17)}` }] },
        tagSet: { items: [{ key: "team", value: `t${n % 9}` }] },
      },
      responseElements: { requestId: uuid(), _return: true },
    };
  }
  // Rare attacks: a group opened to the world, a public bucket policy, logging stopped.
  const attack = n % 3;
  if (attack === 0) {
    const groupId = `sg-${hex(17)}`;
    return {
      ...base,
      eventSource: "ec2.amazonaws.com",
      eventName: "AuthorizeSecurityGroupIngress",
      readOnly: false,
      requestParameters: {
        groupId,
        ipPermissions: {
          items: [
            {
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              groups: {},
              ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      responseElements: {
        requestId: uuid(),
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupId,
              securityGroupRuleId: `sgr-${hex(17)}`,
              isEgress: false,
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrIpv4: "0.0.0.0/0",
            },
          ],
        },
      },
    };
  }
  if (attack === 1) {
    const bucket = `bucket-${n}`;
    return {
      ...base,
      eventSource: "s3.amazonaws.com",
      eventName: "PutBucketPolicy",
      readOnly: false,
      requestParameters: {
        bucketName: bucket,
        bucketPolicy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` },
          ],
        },
      },
      responseElements: null,
    };
  }
  return {
    ...base,
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    readOnly: false,
    requestParameters: { name: "main" },
    responseElements: null,
  };
}

const stamp = (date: Date) => `${date.toISOString().replace(/[-:]/g, "").slice(0, 13)}Z`;

/** Write gzipped CloudTrail files until `megabytes` are on disk; returns the directory and record count. */
export function generateCorpus(megabytes: number): { dir: string; files: string[]; records: number; bytes: number } {
  const dir = mkdtempSync(join(tmpdir(), "riposte-bench-"));
  const files: string[] = [];
  let bytes = 0;
  let records = 0;
  let time = Date.parse("2024-05-01T00:00:00Z");
  while (bytes < megabytes * 1048576) {
    // One five-minute delivery per account and region (few for the rare region).
    for (const account of ACCOUNTS) {
      for (const region of new Set(REGIONS)) {
        const count = region === "us-west-2" ? 200 : 1500;
        const list = Array.from({ length: count }, () =>
          recordAt(new Date(time + Math.floor(random() * 300_000)), account, pick(REGIONS.filter((r) => r === region))),
        );
        const delivered = new Date(time + 300_000);
        const d = delivered.toISOString();
        const folder = join(
          dir,
          "AWSLogs",
          account,
          "CloudTrail",
          region,
          d.slice(0, 4),
          d.slice(5, 7),
          d.slice(8, 10),
        );
        mkdirSync(folder, { recursive: true });
        const file = join(folder, `${account}_CloudTrail_${region}_${stamp(delivered)}_${hex(16)}.json.gz`);
        const data = gzipSync(JSON.stringify({ Records: list }));
        writeFileSync(file, data);
        files.push(file);
        bytes += data.length;
        records += count;
      }
    }
    time += 300_000;
  }
  return { dir, files, records, bytes };
}

function baseline(files: readonly string[]): { events: number; seconds: number } {
  const started = performance.now();
  let events = 0;
  for (const file of files)
    events += (JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { Records: unknown[] }).Records.length;
  return { events, seconds: (performance.now() - started) / 1000 };
}

async function timedScan(
  paths: readonly string[],
  options: Pick<ScanOptions, "readers" | "extraPatterns"> = {},
): Promise<{ events: number; findings: number; seconds: number }> {
  const started = performance.now();
  let findings = 0;
  const summary = await scanFiles({
    ...options,
    paths,
    config: parseConfig({}),
    onFinding: () => {
      findings++;
    },
    onError: (error) => {
      throw new Error(`bench corpus unreadable: ${error.file}:${error.position}: ${error.reason}`);
    },
  });
  return { events: summary.events, findings, seconds: (performance.now() - started) / 1000 };
}

const rate = (events: number, seconds: number) => Math.round(events / seconds).toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/** Peak resident memory of `riposte scan` (the CLI, in a process of its own, reader threads included). */
function peakMemory(paths: readonly string[]): { maxRss: number; seconds: number } {
  return runCli(["scan", "--format", "jsonl", ...paths]);
}

export async function run(): Promise<void> {
  const megabytes = Number(process.env.RIPOSTE_BENCH_MB ?? 200);
  process.stdout.write(`generating a CloudTrail corpus of ${megabytes} MB (.json.gz)…\n`);
  const corpus = generateCorpus(megabytes);
  try {
    const onDisk = corpus.files.reduce((sum, file) => sum + statSync(file).size, 0);
    process.stdout.write(
      `corpus: ${corpus.files.length} files, ${(onDisk / 1048576).toFixed(1)} MB on disk, ${corpus.records.toLocaleString("en-US")} events\n`,
    );

    const base = baseline(corpus.files);
    process.stdout.write(
      `baseline (gunzip + JSON.parse only): ${rate(base.events, base.seconds)} events/s (${base.seconds.toFixed(1)} s)\n`,
    );
    const scan = await timedScan([corpus.dir]);
    process.stdout.write(
      `riposte scan (all 34 detections): ${rate(scan.events, scan.seconds)} events/s (${scan.seconds.toFixed(1)} s, ${scan.findings} findings)\n`,
    );
    if (scan.events !== base.events) throw new Error(`scan read ${scan.events} events, the baseline ${base.events}`);
    const single = await timedScan([corpus.dir], { readers: 0 });
    const baseRate = base.events / base.seconds;
    const ratio = scan.events / scan.seconds / baseRate;
    process.stdout.write(
      `ratio scan/baseline: ${ratio.toFixed(2)} (aim: >= 0.80, bar 0.70; ${availableParallelism()} cores); in one thread: ${rate(single.events, single.seconds)} events/s, ratio ${(single.events / single.seconds / baseRate).toFixed(2)}\n`,
    );

    // The built-in patterns against 340 and 1,000, the whole scan over the corpus's first quarter.
    const quarter = corpus.files.slice(0, Math.max(1, Math.round(corpus.files.length / 4)));
    const quarterBytes = quarter.reduce((sum, file) => sum + statSync(file).size, 0);
    // The reader threads a scan of the whole corpus uses, also when the quarter is small.
    const readers = availableParallelism() > 1 ? 2 : 0;
    const sample: EventEnvelope[] = [];
    for (const file of quarter.slice(0, 20)) {
      const { events } = normalizeRecords(JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")));
      for (const event of events) sample.push(event.envelope);
    }
    const scaling = await scanAtRuleCounts(quarter, sample, timedScan, readers);
    process.stdout.write(
      `${[`over the first quarter (${quarter.length} files, ${mb(quarterBytes)}):`, ...scaling].join("\n")}\n`,
    );

    // Memory: the CLI over a quarter and over the whole corpus, each in a process of its own.
    const small = peakMemory(quarter);
    const large = peakMemory([corpus.dir]);
    const threads = (bytes: number) => (bytes >= PARALLEL_MIN_BYTES ? readers : 0);
    process.stdout.write(
      `peak resident memory of riposte scan (a process of its own, reader threads included): ${mb(small.maxRss)} over the first quarter (${mb(quarterBytes)}, ${threads(quarterBytes)} reader threads, ${small.seconds.toFixed(1)} s), ${mb(large.maxRss)} over the whole corpus (${mb(onDisk)}, ${threads(onDisk)} reader threads, ${large.seconds.toFixed(1)} s); whole/quarter: ${(large.maxRss / small.maxRss).toFixed(2)}; the whole command over the whole corpus: ${rate(scan.events, large.seconds)} events/s, ratio to the baseline ${(scan.events / large.seconds / baseRate).toFixed(2)}\n`,
    );

    process.stdout.write(`${scanWithImportedRules([corpus.dir]).join("\n")}\n`);
  } finally {
    rmSync(corpus.dir, { recursive: true, force: true });
  }
}
