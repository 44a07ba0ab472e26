/**
 * `riposte scan` throughput. Generates a CloudTrail corpus of `.json.gz` files in the AWSLogs
 * layout (≥ RIPOSTE_BENCH_MB megabytes on disk, default 200; a few MB while developing: a
 * realistic mix of read-only calls, role assumptions, KMS, sign-ins, writes and a few attacks),
 * then measures, in one run:
 *   - a baseline that only gunzips and JSON.parses the same files;
 *   - the full scan (intake, time ordering, all 34 detections, findings) and the ratio of the two,
 *     with the default reader threads and in one thread, and the machine's core count;
 *   - the full scan with 34 and with 340 patterns over the corpus's first quarter: the 306 added
 *     are copies of the catalog's (see `extraPatterns`), matched on every event and then dropped;
 *   - the peak resident memory of `riposte scan` over that quarter and over the whole corpus, and
 *     the whole command's speed (start-up included) against the baseline's.
 * Speeds are events per second on this machine; compare the ratios, not the absolute figures.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseConfig } from "../../core/config/load.js";
import type { RiposteConfig } from "../../core/config/schema.js";
import { CATALOG, detectionPattern } from "../../core/detections/catalog.js";
import type { EventPattern } from "../../core/detections/types.js";
import { PARALLEL_MIN_BYTES, type ScanOptions, scanFiles } from "../../core/engine/scan.js";
import { normalizeRecords } from "../../core/events/index.js";
import type { EventEnvelope } from "../../core/model/event.js";
import { compilePattern } from "../../core/patterns/compile.js";
import { PatternIndex } from "../../core/patterns/pattern-index.js";

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

/** The corpus's own calls (`READS` and the other calls `recordAt` makes), for retargeted copies. */
const CORPUS_CALLS: readonly (readonly [string, string])[] = [
  ...READS,
  ["kms.amazonaws.com", "Decrypt"],
  ["sts.amazonaws.com", "AssumeRole"],
  ["signin.amazonaws.com", "ConsoleLogin"],
  ["ec2.amazonaws.com", "CreateTags"],
];

const EXTRA = 306;

/**
 * 306 patterns to add to the 34 detections' (340 in all), made from the catalog's own: nine
 * copies of each of the 34, in rounds. Copies of the four that pin no `source` stay source-less
 * (36, the catalog's share), so they are tried on every event as the four are; with `pinAll` each
 * is pinned to one of the corpus's sources instead. In every other round a CloudTrail copy is
 * retargeted to one of the corpus's own calls (its other conditions kept), so the added patterns
 * are candidates for the common events and often match; the other copies match what the
 * detection they copy matches. Scan drops their matches (`ScanOptions.extraPatterns`).
 */
function extraPatterns(
  config: RiposteConfig,
  pinAll: boolean,
): { patterns: EventPattern[]; sourceless: number; retargeted: number } {
  const catalog = CATALOG.map((definition) => detectionPattern(definition, config));
  const patterns: EventPattern[] = [];
  let sourceless = 0;
  let retargeted = 0;
  let call = 0;
  const retarget = (pattern: EventPattern, withName: boolean) => {
    const [eventSource, eventName] = CORPUS_CALLS[call++ % CORPUS_CALLS.length]!;
    const detail: Record<string, unknown> = {
      ...(pattern.detail as Record<string, unknown>),
      eventSource: [eventSource],
    };
    if (withName) detail.eventName = [eventName];
    return { ...pattern, source: [`aws.${eventSource.split(".")[0]}`], detail };
  };
  for (let round = 0; patterns.length < EXTRA; round++) {
    for (const pattern of catalog) {
      if (patterns.length === EXTRA) break;
      const copy = structuredClone(pattern);
      const cloudTrail =
        Array.isArray(copy["detail-type"]) && copy["detail-type"].includes("AWS API Call via CloudTrail");
      if (copy.source === undefined) {
        if (pinAll) patterns.push(retarget(copy, false));
        else {
          patterns.push(copy);
          sourceless++;
        }
      } else if (round % 2 === 1 && cloudTrail) {
        patterns.push(retarget(copy, true));
        retargeted++;
      } else patterns.push(copy);
    }
  }
  return { patterns, sourceless, retargeted };
}

/**
 * Patterns an event is tested against, on average, by `PatternIndex`'s rule: those that pin no
 * `source`, and those that pin the event's source and its `eventName` or no name.
 */
function candidatesPerEvent(patterns: readonly EventPattern[], sample: readonly EventEnvelope[]): number {
  const pins = patterns.map((pattern) => {
    const names = (pattern.detail as { eventName?: unknown } | undefined)?.eventName;
    return {
      sources: Array.isArray(pattern.source) ? (pattern.source as unknown[]) : undefined,
      names: Array.isArray(names) && names.every((name) => typeof name === "string") ? (names as unknown[]) : undefined,
    };
  });
  let total = 0;
  for (const envelope of sample) {
    const name = (envelope.detail as { eventName?: unknown }).eventName;
    for (const { sources, names } of pins) {
      if (!sources || (sources.includes(envelope.source) && (!names || names.includes(name)))) total++;
    }
  }
  return total / sample.length;
}

const rate = (events: number, seconds: number) => Math.round(events / seconds).toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/** Peak resident memory of `riposte scan` (the CLI, in a process of its own, reader threads included). */
function peakMemory(paths: readonly string[]): { maxRss: number; seconds: number } {
  const cli = fileURLToPath(new URL("../../bin/riposte.mjs", import.meta.url));
  const report =
    'process.on("exit",()=>process.stderr.write("\\nriposte-bench-maxrss="+process.resourceUsage().maxRSS+"\\n"))';
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(report)}`, cli, "scan", "--format", "jsonl", ...paths],
    { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 * 1048576 },
  );
  const seconds = (performance.now() - started) / 1000;
  const found = /riposte-bench-maxrss=(\d+)/.exec(child.stderr ?? "");
  if (child.status !== 0 || !found) {
    throw new Error(`riposte scan exited with ${child.status ?? child.signal}: ${(child.stderr ?? "").slice(-2000)}`);
  }
  // resourceUsage reports kilobytes.
  return { maxRss: Number(found[1]) * 1024, seconds };
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

    // 34 against 340 patterns, the whole scan, over the corpus's first quarter (in delivery order).
    const quarter = corpus.files.slice(0, Math.max(1, Math.round(corpus.files.length / 4)));
    const quarterBytes = quarter.reduce((sum, file) => sum + statSync(file).size, 0);
    const config = parseConfig({});
    const realistic = extraPatterns(config, false);
    const pinned = extraPatterns(config, true);
    // The reader threads a scan of the whole corpus uses, also when the quarter is small.
    const readers = availableParallelism() > 1 ? 2 : 0;
    const runs: Record<"34" | "340" | "340 pinned", { events: number; findings: number; seconds: number }[]> = {
      "34": [],
      "340": [],
      "340 pinned": [],
    };
    for (let round = 0; round < 2; round++) {
      runs["34"].push(await timedScan(quarter, { readers }));
      runs["340"].push(await timedScan(quarter, { readers, extraPatterns: realistic.patterns }));
      runs["340 pinned"].push(await timedScan(quarter, { readers, extraPatterns: pinned.patterns }));
    }
    const all = Object.values(runs).flat();
    if (all.some((one) => one.events !== all[0]!.events || one.findings !== all[0]!.findings)) {
      throw new Error(`the added patterns changed the scan: ${JSON.stringify(runs)}`);
    }
    const best = (list: { events: number; seconds: number }[]) =>
      Math.max(...list.map((one) => one.events / one.seconds));
    const speed34 = best(runs["34"]);
    const speed340 = best(runs["340"]);
    const speedPinned = best(runs["340 pinned"]);
    const fmt = (value: number) => Math.round(value).toLocaleString("en-US");

    // How often the added patterns match, on the quarter's first events.
    const sample: EventEnvelope[] = [];
    for (const file of quarter.slice(0, 60)) {
      const { events } = normalizeRecords(JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")));
      for (const event of events) sample.push(event.envelope);
    }
    const added = new PatternIndex<number>();
    realistic.patterns.forEach((pattern, key) => {
      added.add(key, compilePattern(pattern));
    });
    let matched = 0;
    for (const envelope of sample) matched += added.match(envelope).length;
    const catalog = CATALOG.map((definition) => detectionPattern(definition, config));
    const tried = (patterns: readonly EventPattern[]) => candidatesPerEvent(patterns, sample).toFixed(1);

    const ratio340 = speed340 / speed34;
    const ratioPinned = speedPinned / speed34;
    process.stdout.write(
      [
        `34 against 340 patterns, the whole scan over the corpus's first quarter (${quarter.length} files, ${mb(quarterBytes)}, ${all[0]!.events.toLocaleString("en-US")} events, ${readers} reader threads, best of 2 runs each, ${all[0]!.findings} findings every time):`,
        `  34 patterns (the detections'): ${fmt(speed34)} events/s; patterns tried per event: ${tried(catalog)}`,
        `  340 patterns: ${fmt(speed340)} events/s (340/34: ${ratio340.toFixed(2)}); tried per event: ${tried([...catalog, ...realistic.patterns])}`,
        `    the ${EXTRA} added are nine copies of each detection's pattern: ${realistic.sourceless} pin no source (copies of the ${realistic.sourceless / 9} that do not), ${realistic.retargeted} are retargeted to the corpus's own calls, the rest exact copies;`,
        `    they match ${(matched / sample.length).toFixed(1)} times per event (${sample.length.toLocaleString("en-US")} sample events); scan drops their matches`,
        `  340 patterns, those ${realistic.sourceless} pinned to one of the corpus's sources instead: ${fmt(speedPinned)} events/s (340/34: ${ratioPinned.toFixed(2)}); tried per event: ${tried([...catalog, ...pinned.patterns])}`,
        ratio340 >= 0.9
          ? "  throughput is flat from 34 to 340 patterns (within 10 %)"
          : `  throughput is NOT flat from 34 to 340 patterns (${ratio340.toFixed(2)}): patterns with no source are tried on every event, and pinned ones on every event of their call; ${
              ratioPinned >= 0.9
                ? "with every added pattern pinned it is flat (within 10 %)"
                : `even with every added pattern pinned it is ${ratioPinned.toFixed(2)}, as ${realistic.retargeted} of them are for the corpus's own calls`
            }`,
        "",
      ].join("\n"),
    );

    // Memory: the CLI over a quarter and over the whole corpus, each in a process of its own.
    const small = peakMemory(quarter);
    const large = peakMemory([corpus.dir]);
    const threads = (bytes: number) => (bytes >= PARALLEL_MIN_BYTES ? readers : 0);
    process.stdout.write(
      `peak resident memory of riposte scan (a process of its own, reader threads included): ${mb(small.maxRss)} over the first quarter (${mb(quarterBytes)}, ${threads(quarterBytes)} reader threads, ${small.seconds.toFixed(1)} s), ${mb(large.maxRss)} over the whole corpus (${mb(onDisk)}, ${threads(onDisk)} reader threads, ${large.seconds.toFixed(1)} s); whole/quarter: ${(large.maxRss / small.maxRss).toFixed(2)}; the whole command over the whole corpus: ${rate(scan.events, large.seconds)} events/s, ratio to the baseline ${(scan.events / large.seconds / baseRate).toFixed(2)}\n`,
    );
  } finally {
    rmSync(corpus.dir, { recursive: true, force: true });
  }
}
