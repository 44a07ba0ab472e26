import { createHash } from "node:crypto";
import type { DetectionId } from "../../core/model/catalog.js";
import {
  type Actor,
  authorizeIngress,
  consoleLogin,
  createAccessKey,
  createSecurityGroup,
  guardDutyPortProbe,
  type IngressRule,
  iamUser,
  putBucketPolicy,
  type RecordContext,
  readCall,
  revokeIngress,
  runInstance,
  trailCall,
} from "./records.js";

/**
 * The bundled attack storyline `riposte serve` replays into an empty store: a few days of
 * ordinary activity (so baselines exist), then forty minutes of an intrusion — a console brute
 * force, a sign-in from a new country and then from another continent, SSH and RDP opened to
 * the world "temporarily" on a production group, a bucket policy made public, CloudTrail
 * stopped, an access key created and used from a new network, a GuardDuty port probe — and one
 * scripted rejection, so that every workflow path shows on the dashboard within a minute.
 *
 * Event times are virtual (the story ends when the demo starts); the replay paces the steps over
 * the demo's duration. Event ids derive from the run id, so a resumed replay is recognised.
 */

/** One step: records posted at `at` (a fraction of the demo's duration), or a scripted decision. */
export type DemoStep =
  | { kind: "records"; at: number; title: string; records: unknown[]; expect: DetectionId[] }
  | {
      kind: "decide";
      at: number;
      title: string;
      /** The incident of this detection whose principal contains `principal` is decided. */
      detection: DetectionId;
      principal: string;
      decision: "approve" | "reject";
      comment: string;
    };

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;

const UA = {
  chrome:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
  headless:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/125.0.6422.60 Safari/537.36",
  cli: "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ec2.authorize-security-group-ingress",
  boto: "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.131",
  console: "AWS Internal",
};

/** Addresses with known locations in the shipped GeoLite2 data. */
const IP = {
  londonOffice: "81.2.69.142", // GB, AS20712
  plymouthHome: "2.125.160.216", // GB, AS5607
  stockholm: "89.160.20.112", // SE, AS29518
  tacoma: "216.160.83.56", // US, AS209
  jilin: "175.16.199.1", // CN, AS4837
  torExit: "185.220.101.1", // DE, AS60729
};

export const DEMO_GROUP = { groupId: "sg-0a7f3c9e2b1d4f6a8", groupName: "web-prod" };
export const DEMO_INSTANCE = { instanceId: "i-0d4c3b2a1f0e9d8c7", eniId: "eni-0e5f6a7b8c9d0e1f2" };
export const DEMO_BUCKET = "northwind-finance-reports";
export const DEMO_TRAIL = "org-management-events";

const alice = (ip: string, userAgent: string): Actor => ({
  userIdentity: iamUser("alice", "AIDAQ3EGS4LRNXAMPLE01", "AKIAQ3EGS4LRALICE001"),
  ip,
  userAgent,
});
const bob = (ip: string, userAgent: string): Actor => ({
  userIdentity: iamUser("bob", "AIDAQ3EGS4LRNXAMPLE02", "AKIAQ3EGS4LRBOB00001"),
  ip,
  userAgent,
});
const NEW_KEY = "AKIAQ3EGS4LRREPORTS7";
const svcReports = (ip: string, userAgent: string): Actor => ({
  userIdentity: iamUser("svc-reports", "AIDAQ3EGS4LRNXAMPLE03", NEW_KEY),
  ip,
  userAgent,
});

/** A UUID-shaped, stable event id for the n-th record of a demo run. */
export function demoEventId(runId: string, n: number): string {
  const hex = createHash("sha256").update(`${runId}:${n}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function publicReadPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowPartnerDownloads",
        Effect: "Allow",
        Principal: "*",
        Action: ["s3:GetObject"],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
}

/**
 * The storyline of one demo run. `endsAt` is the virtual time of its last event (the demo's
 * start); `runId` makes its event ids.
 */
export function demoStoryline(runId: string, endsAt: number): DemoStep[] {
  let n = 0;
  const ctx = (minutesBefore: number, actor: Actor, region?: string): RecordContext => ({
    at: endsAt - minutesBefore * MINUTE,
    eventId: demoEventId(runId, n++),
    actor,
    ...(region ? { region } : {}),
  });

  // Five ordinary working days: alice from the London office, bob from home, both every day.
  const baseline: unknown[] = [];
  for (let day = 5; day >= 1; day--) {
    const morning = day * DAY_MINUTES + 9 * 60; // minutes before the end
    baseline.push(
      consoleLogin(ctx(morning, alice(IP.londonOffice, UA.chrome)), true, true),
      readCall(ctx(morning - 12, alice(IP.londonOffice, UA.cli)), "ec2.amazonaws.com", "DescribeInstances", {
        instancesSet: {},
        filterSet: {},
      }),
      consoleLogin(ctx(morning - 30, bob(IP.plymouthHome, UA.firefox)), true, true),
      readCall(ctx(morning - 41, bob(IP.plymouthHome, UA.cli)), "ec2.amazonaws.com", "DescribeSecurityGroups", {
        securityGroupSet: {},
        securityGroupIdSet: {},
        filterSet: {},
      }),
    );
    if (day === 4) {
      baseline.push(
        createSecurityGroup(
          ctx(morning - 60, bob(IP.plymouthHome, UA.cli)),
          DEMO_GROUP.groupId,
          DEMO_GROUP.groupName,
          "Production web tier",
          { Name: "web-prod", env: "production", team: "storefront" },
        ),
        runInstance(
          ctx(morning - 64, bob(IP.plymouthHome, UA.cli)),
          DEMO_GROUP.groupId,
          DEMO_INSTANCE.instanceId,
          DEMO_INSTANCE.eniId,
        ),
      );
    }
  }

  const attacker = alice(IP.tacoma, UA.boto);
  const openRules: IngressRule[] = [
    { port: 22, cidr: "0.0.0.0/0", description: "temp vendor access - remove friday", ruleId: "sgr-0c41d7e9a2b3f5061" },
    {
      port: 3389,
      cidr: "0.0.0.0/0",
      description: "temp vendor access - remove friday",
      ruleId: "sgr-0c41d7e9a2b3f5062",
    },
  ];

  return [
    {
      kind: "records",
      at: 0,
      title: "five ordinary days: sign-ins from the office and from home, a production web group",
      records: baseline,
      expect: [],
    },
    {
      kind: "records",
      at: 0.04,
      title: "someone guesses bob's console password from a headless browser",
      records: [0, 1, 2].map((i) => consoleLogin(ctx(44 - i, bob(IP.jilin, UA.headless)), false)),
      expect: ["console-login-failure", "console-login-brute-force"],
    },
    {
      kind: "records",
      at: 0.14,
      title: "alice signs in from Stockholm, a country she never signed in from",
      records: [consoleLogin(ctx(35, alice(IP.stockholm, UA.firefox)), true, true)],
      expect: ["console-login-new-ip", "console-login-new-device"],
    },
    {
      kind: "records",
      at: 0.24,
      title: "thirteen minutes later alice signs in from Tacoma, 7,800 km away",
      records: [consoleLogin(ctx(22, alice(IP.tacoma, UA.firefox)), true, true)],
      expect: ["impossible-travel", "console-login-new-ip"],
    },
    {
      kind: "records",
      at: 0.34,
      title: "bob opens SSH and RDP to the world on the production web group, 'temporarily'",
      records: [authorizeIngress(ctx(18, bob(IP.plymouthHome, UA.cli)), DEMO_GROUP.groupId, openRules)],
      expect: ["sg-ssh-open-world", "sg-high-risk-port-open", "sg-temporary-rule", "sg-prod-tag-violation"],
    },
    {
      kind: "records",
      at: 0.44,
      title: "from Tacoma, alice's access key makes the finance reports bucket public",
      records: [putBucketPolicy(ctx(15, attacker), DEMO_BUCKET, publicReadPolicy(DEMO_BUCKET))],
      expect: ["s3-bucket-policy-public", "access-key-anomalous-use"],
    },
    {
      kind: "records",
      at: 0.52,
      title: "then CloudTrail logging is stopped",
      records: [trailCall(ctx(13, attacker), "StopLogging", DEMO_TRAIL)],
      expect: ["cloudtrail-tampering"],
    },
    {
      kind: "records",
      at: 0.6,
      title: "an access key is created for svc-reports and tried from the office",
      records: [
        createAccessKey(ctx(11, attacker), "svc-reports", NEW_KEY),
        readCall(ctx(10, svcReports(IP.londonOffice, UA.boto)), "sts.amazonaws.com", "GetCallerIdentity"),
      ],
      expect: ["access-key-created"],
    },
    {
      kind: "records",
      at: 0.68,
      title: "the new key lists buckets from a network it never used",
      records: [readCall(ctx(6, svcReports(IP.jilin, UA.boto), "us-east-1"), "s3.amazonaws.com", "ListBuckets")],
      expect: ["access-key-anomalous-use", "impossible-travel"],
    },
    {
      kind: "records",
      at: 0.76,
      title: "GuardDuty sees the production instance's open SSH port being probed",
      records: [
        guardDutyPortProbe(
          {
            at: endsAt - 4 * MINUTE,
            eventId: demoEventId(runId, n++),
            findingId: demoEventId(runId, n++).replace(/-/g, ""),
          },
          { ...DEMO_INSTANCE, ...DEMO_GROUP },
          { port: 22, ip: IP.torExit, country: "Germany", org: "Tor exit relay" },
        ),
      ],
      expect: ["guardduty-finding"],
    },
    {
      kind: "records",
      at: 0.84,
      title: "bob closes both rules again himself",
      records: [
        revokeIngress(
          ctx(2, bob(IP.plymouthHome, UA.cli)),
          DEMO_GROUP.groupId,
          openRules.map((rule) => rule.ruleId),
        ),
      ],
      expect: ["sg-risk-resolved"],
    },
    {
      kind: "decide",
      at: 0.92,
      title: "the on-call engineer rejects deactivating svc-reports' key (a scripted decision)",
      detection: "access-key-anomalous-use",
      principal: "svc-reports",
      decision: "reject",
      comment: "Demo: svc-reports is being moved to the new region; keep the key while we check with its owner.",
    },
  ];
}
