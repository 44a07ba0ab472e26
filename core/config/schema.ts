import { z } from "zod";
import { DETECTION_IDS, type DetectionId } from "../model/catalog.js";
import { isConfirmable, notConfirmableReason } from "../model/confirmation.js";
import { isoInstant } from "../model/exception.js";
import { REMEDIATION_MODES } from "../model/incident.js";
import { RuleIdSchema } from "../model/rule-id.js";
import { parseCidr } from "../net/ip.js";

/** EventBridge's default quota of rules per event bus (adjustable through Service Quotas). */
export const EVENTBRIDGE_DEFAULT_RULES_PER_BUS = 300;
/** Riposte's bound on `rules.maxPerBus` (a configuration setting is bounded like any input). */
const MAX_RULES_PER_BUS_SETTING = 10_000;
/**
 * Riposte's one configuration: every threshold, window, port, keyword, tag, trusted CIDR,
 * protected principal and notification setting, with documented defaults. Secrets (Slack token,
 * signing secret, dashboard token) never live here: they come from the environment or
 * `sst.Secret`.
 */

/** Whether `name` is a time zone this runtime knows (Intl throws RangeError otherwise). */
function isTimeZone(name: string): boolean {
  // The default, valid in every runtime: asking Intl would load its time zone data at every start.
  if (name === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const DETECTION_MODES = ["auto", "approval", "notify", "off"] as const;
export type DetectionMode = (typeof DETECTION_MODES)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

// A malformed range would never match anything (inAnyCidr skips it), so it is refused here.
const cidr = z
  .string()
  .refine((text) => parseCidr(text) !== undefined, "expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32");
const port = z.number().int().min(0).max(65535);
// AWS Config rule names: letters, digits, hyphens and underscores, at most 128 characters.
const configRulePrefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, "expected a Config rule name prefix (letters, digits, - and _, 1-128 characters)");

/**
 * The Config rules about world-open ingress: the managed rules restricted-ssh (INCOMING_SSH_DISABLED),
 * restricted-common-ports (RESTRICTED_INCOMING_TRAFFIC), vpc-sg-open-only-to-authorized-ports and
 * vpc-sg-port-restriction-check, and the rules Security Hub creates for its controls EC2.13 (SSH),
 * EC2.14 (RDP), EC2.18 (authorized ports) and EC2.19 (high-risk ports).
 */
export const WORLD_OPEN_CONFIG_RULES: readonly string[] = [
  "restricted-ssh",
  "restricted-common-ports",
  "vpc-sg-open-only-to-authorized-ports",
  "vpc-sg-port-restriction-check",
  "securityhub-restricted-ssh-",
  "securityhub-restricted-rdp-",
  "securityhub-vpc-sg-open-only-to-authorized-ports-",
  "securityhub-vpc-sg-restricted-common-ports-",
];
const minutes = z.number().positive();

/**
 * EC2's accelerated computing families with GPUs or machine learning chips: P (p3, p4d, p5, p6-b200…),
 * G (g4dn, g5, g5g, g6, g6e…) and Gr (gr6, memory-heavy G6), Inferentia (inf1, inf2), Trainium
 * (trn1, trn1n, trn2) and DL (dl1 with Gaudi, dl2q with Qualcomm AI 100).
 */
export const ACCELERATED_FAMILIES: readonly string[] = ["p", "g", "gr", "inf", "trn", "dl"];

export const DetectionSettingSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Overrides the detection's default response; unset means the catalog default. */
  mode: z.enum(DETECTION_MODES).optional(),
});

const DAY_MS = 24 * 3600 * 1000;

/**
 * An exception in the configuration: `detection`, exactly one of `principal`, `resource`, `cidr`
 * or `tag` (`{ key, value }`), `owner`, `reason` and `expiresAt`. An expired one simply no longer
 * holds; one further out than `exceptions.maxDays` is refused.
 */
export const DeclaredExceptionSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "expected a kebab-case id")
      .max(64),
    detection: z.union([z.enum(DETECTION_IDS as [DetectionId, ...DetectionId[]]), RuleIdSchema]),
    principal: z.string().trim().min(1).max(2048).optional(),
    resource: z.string().trim().min(1).max(2048).optional(),
    cidr: cidr.optional(),
    tag: z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256) }).optional(),
    owner: z.string().trim().min(1).max(200),
    reason: z.string().trim().min(1).max(1000),
    expiresAt: isoInstant,
  })
  .superRefine((entry, ctx) => {
    const scopes = (["principal", "resource", "cidr", "tag"] as const).filter((key) => entry[key] !== undefined);
    if (scopes.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `expected exactly one scope of principal, resource, cidr or tag (found ${scopes.length ? scopes.join(", ") : "none"})`,
      });
    }
  });
export type DeclaredException = z.infer<typeof DeclaredExceptionSchema>;

export const ConfigSchema = z.strictObject({
  /** Per-detection switches and response modes, keyed by detection id. */
  detections: z
    .record(z.string(), DetectionSettingSchema)
    .default({})
    .superRefine(
      (value, ctx) => {
        for (const id of Object.keys(value)) {
          if (!(DETECTION_IDS as readonly string[]).includes(id)) {
            ctx.addIssue({
              code: "custom",
              path: [id],
              message: `unknown detection id "${id}"; valid ids: ${DETECTION_IDS.join(", ")}`,
            });
          }
        }
      }, // Also when a setting inside is bad, so every bad setting is named at once.
      { when: (payload) => typeof payload.value === "object" && payload.value !== null },
    ),

  thresholds: z
    .strictObject({
      bruteForce: z
        .strictObject({ failures: z.number().int().min(2).default(3), windowMinutes: minutes.default(10) })
        .prefault({}),
      impossibleTravel: z
        .strictObject({
          speedKmh: z.number().positive().default(900),
          minDistanceKm: z.number().nonnegative().default(500),
        })
        .prefault({}),
      unusualRegion: z
        .strictObject({
          lookbackDays: z.number().positive().default(7),
          /** Services whose events CloudTrail records in one region whatever the caller's (never "unusual"). */
          globalServices: z
            .array(z.string().min(1))
            .default([
              "iam.amazonaws.com",
              "sts.amazonaws.com",
              "signin.amazonaws.com",
              "organizations.amazonaws.com",
              "cloudfront.amazonaws.com",
              "route53.amazonaws.com",
              "route53domains.amazonaws.com",
              "support.amazonaws.com",
              "health.amazonaws.com",
              "trustedadvisor.amazonaws.com",
              "account.amazonaws.com",
              "billingconsole.amazonaws.com",
              "ce.amazonaws.com",
              "budgets.amazonaws.com",
              "globalaccelerator.amazonaws.com",
              "shield.amazonaws.com",
              "waf.amazonaws.com",
              "notifications.amazonaws.com",
              "sso.amazonaws.com",
            ]),
        })
        .prefault({}),
      /** How long a principal's (or key's) known IPs, devices, countries and ASNs are remembered. */
      baseline: z.strictObject({ days: z.number().positive().default(90) }).prefault({}),
      /**
       * `secrets-bulk-read`: one principal reading at least `secrets` distinct secrets and
       * decrypted parameters within `windowMinutes` (at most 500, which bounds its state).
       */
      secretsBulkRead: z
        .strictObject({
          secrets: z.number().int().min(2).max(500).default(10),
          windowMinutes: minutes.default(10),
        })
        .prefault({}),
      sgCreatedOpen: z.strictObject({ windowMinutes: minutes.default(10) }).prefault({}),
      sgRepeatedOpen: z
        .strictObject({ rules: z.number().int().min(2).default(3), windowMinutes: minutes.default(10) })
        .prefault({}),
      sgZombieRule: z.strictObject({ hours: z.number().positive().default(24) }).prefault({}),
      sgOpenThenConnection: z.strictObject({ windowMinutes: minutes.default(15) }).prefault({}),
      /** What makes a RunInstances call an `ec2-gpu-launch`: an accelerated instance family, or many instances at once. */
      ec2GpuLaunch: z
        .strictObject({
          /**
           * Instance families that count as accelerated: the letters before the generation digit
           * of the type (`g` in g5.xlarge and g4dn.xlarge, `gr` in gr6.4xlarge, `inf` in
           * inf2.xlarge, `p` in p6-b200.48xlarge; `c` in c6g.large). Default: the GPU and machine
           * learning families p, g, gr, inf, trn and dl; add `f` (FPGA) or `vt` (video) to watch those.
           */
          families: z
            .array(z.string().regex(/^[a-z]{1,16}$/, "expected an instance family: lowercase letters such as g or inf"))
            .default(() => [...ACCELERATED_FAMILIES]),
          /** A launch asking for at least this many instances (`maxCount`) fires whatever the type. */
          maxCount: z.number().int().min(2).default(10),
        })
        .prefault({}),
      webScanning: z
        .strictObject({
          requests: z.number().int().positive().default(100),
          errorRatio: z.number().min(0).max(1).default(0.5),
          windowSeconds: z.number().positive().default(60),
          /** Case-insensitive substrings of user agents that identify scanners. */
          scannerUserAgents: z
            .array(z.string().min(2))
            .default([
              "sqlmap",
              "nikto",
              "nmap",
              "masscan",
              "zgrab",
              "nuclei",
              "dirbuster",
              "gobuster",
              "feroxbuster",
              "ffuf",
              "wpscan",
              "acunetix",
              "nessus",
              "openvas",
              "w3af",
              "whatweb",
              "wfuzz",
              "hydra",
              "zmeu",
              "jorgee",
              "netsparker",
              "arachni",
              "skipfish",
              "commix",
              "xsstrike",
            ]),
        })
        .prefault({}),
    })
    .prefault({}),

  network: z
    .strictObject({
      /** Ports that make a world-open rule risky (22, 3389, 3306, 5432 plus `extraRiskyPorts`). */
      riskyPorts: z.array(port).default([22, 3389, 3306, 5432]),
      extraRiskyPorts: z.array(port).default([]),
      /** Words in a rule or group description that mark a rule as temporary. */
      temporaryKeywords: z
        .array(z.string().min(1))
        .default(["temp", "tmp", "temporary", "debug", "test", "remove", "delete me"]),
      /** CIDRs SSH may be restricted to; SSH opened to any other non-world range is reported. */
      sshAllowedCidrs: z.array(cidr).default([]),
      /**
       * Name prefixes of the AWS Config rules about world-open ingress whose NON_COMPLIANT results
       * `config-sg-open-to-world` reports. A prefix also matches conformance-pack copies
       * (`restricted-ssh-conformance-pack-…`) and Security Hub's rules, which end in a random suffix.
       */
      worldOpenConfigRules: z
        .array(configRulePrefix)
        .min(1)
        .default(() => [...WORLD_OPEN_CONFIG_RULES]),
    })
    .prefault({}),

  /** Tags that mark a resource as production. */
  productionTags: z
    .strictObject({
      keys: z.array(z.string()).default(["env", "environment"]),
      values: z.array(z.string()).default(["prod", "production"]),
    })
    .prefault({}),

  /** Source addresses that are ours (offices, VPN egress): lower risk, never "new". */
  trustedCidrs: z.array(cidr).default([]),

  /**
   * AWS account ids that count as ours besides the event's own account (other accounts of the
   * organisation, a backup account): sharing with or trusting them is not "foreign".
   */
  trustedAccounts: z.array(z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id")).default([]),

  protection: z
    .strictObject({
      /** Resources carrying this tag are never changed: notify instead. */
      tag: z
        .strictObject({ key: z.string().min(1), value: z.string() })
        .default({ key: "riposte:protect", value: "true" }),
      /** ARN patterns (`*` wildcards) of principals never acted on (break-glass roles). */
      principals: z.array(z.string().min(1)).default([]),
      /** Riposte's own role name prefix: events caused by it are never acted on (loop prevention). */
      toolRolePrefix: z.string().min(1).default("riposte-"),
      /**
       * ARN patterns (`*` wildcards) of other identities Riposte remediates as: events they cause
       * are detected and notified but never remediated (loop prevention). `riposte serve
       * --remediate live` adds the identity its credentials act as.
       */
      toolPrincipals: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),

  scoring: z
    .strictObject({
      /** Score at or above which remediation runs (below: notify only, or dismiss). */
      remediateAt: z.number().min(0).max(100).default(40),
      /** Score below which an incident is dismissed without notification. */
      dismissBelow: z.number().min(0).max(100).default(10),
      /** Lower bounds of P1, P2 and P3 (the rest is P4). */
      priorities: z
        .strictObject({ P1: z.number().default(80), P2: z.number().default(60), P3: z.number().default(35) })
        .prefault({})
        .refine((p) => p.P1 > p.P2 && p.P2 > p.P3, "expected P1 > P2 > P3"),
      /** Working hours, for the off-hours factor. */
      workingHours: z
        .strictObject({
          start: z.number().int().min(0).max(23).default(8),
          end: z.number().int().min(0).max(24).default(19),
          timezone: z.string().default("UTC").refine(isTimeZone, "expected an IANA time zone such as Europe/Paris"),
          /** Working days, 0 = Sunday … 6 = Saturday. */
          days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
        })
        .prefault({}),
      /** Points each factor adds (negative: removes); the score is their sum, clamped to 0–100. */
      weights: z
        .strictObject({
          /** Base points by the detection's severity. */
          severity: z
            .strictObject({
              info: z.number().default(5),
              low: z.number().default(15),
              medium: z.number().default(35),
              high: z.number().default(55),
              critical: z.number().default(70),
            })
            .prefault({}),
          production: z.number().default(15),
          newIp: z.number().default(10),
          newAsn: z.number().default(5),
          newDevice: z.number().default(10),
          impossibleTravel: z.number().default(20),
          root: z.number().default(15),
          repeatOffence: z.number().default(10),
          trustedCidr: z.number().default(-15),
          offHours: z.number().default(10),
        })
        .prefault({}),
      /** How far back earlier incidents of the same principal count as a repeat offence. */
      repeatLookbackDays: z.number().positive().default(30),
    })
    .prefault({}),

  approval: z
    .strictObject({
      timeoutSeconds: z.number().int().positive().default(3600),
      /** Slack user ids allowed to approve or reject. Empty means nobody can approve from Slack. */
      slackApprovers: z
        .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U0123ABCD"))
        .default([]),
      /** Whether the (authenticated) dashboard may approve and reject too. */
      allowDashboard: z.boolean().default(true),
    })
    .prefault({}),

  /**
   * Time-boxed exceptions (core/exceptions/): the longest an exception may last, and the ones
   * declared here (each names its detection, exactly one scope, an owner, a reason and its expiry).
   */
  exceptions: z
    .strictObject({
      maxDays: z.number().positive().max(365).default(30),
      declared: z.array(DeclaredExceptionSchema).default([]),
    })
    .prefault({})
    .superRefine((exceptions, ctx) => {
      const limit = Date.now() + exceptions.maxDays * DAY_MS;
      const seen = new Set<string>();
      exceptions.declared.forEach((entry, index) => {
        if (Date.parse(entry.expiresAt) > limit) {
          ctx.addIssue({
            code: "custom",
            path: ["declared", index, "expiresAt"],
            message: `must be at most exceptions.maxDays (${exceptions.maxDays}) days from now`,
          });
        }
        if (seen.has(entry.id)) {
          ctx.addIssue({ code: "custom", path: ["declared", index, "id"], message: `duplicate id "${entry.id}"` });
        }
        seen.add(entry.id);
      });
    }),

  /**
   * "Was this you?" (core/confirm/): for the listed detections (only those a person's own action
   * triggers), DM the actor mapped from the CloudTrail principal before remediating. Off while
   * `detections` is empty. `actors` maps a principal to a Slack user: the table first (exact
   * principal ARN or IAM user name), then `iam-tag` (the IAM user's tag `tagKey` holds a Slack user
   * id) or `email-tag` (it holds an email, resolved with Slack's users.lookupByEmail).
   */
  confirmation: z
    .strictObject({
      detections: z.array(z.string()).default([]),
      /** How long the actor has to answer before the detection's default response applies. */
      timeoutMinutes: z.number().int().positive().max(1440).default(30),
      /** The longest a confirmed ("Yes, keep it") change is kept before it is reverted. */
      keepHoursMax: z.number().int().positive().max(168).default(8),
      actors: z
        .strictObject({
          mode: z.enum(["table", "iam-tag", "email-tag"]).default("table"),
          table: z
            .record(
              z.string().min(1).max(2048),
              z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U0123ABCD"),
            )
            .default({}),
          tagKey: z.string().min(1).max(128).optional(),
        })
        .prefault({}),
    })
    .prefault({})
    .superRefine((confirmation, ctx) => {
      const seen = new Set<string>();
      confirmation.detections.forEach((detection, index) => {
        if (!isConfirmable(detection)) {
          ctx.addIssue({ code: "custom", path: ["detections", index], message: notConfirmableReason(detection) });
        } else if (seen.has(detection)) {
          ctx.addIssue({ code: "custom", path: ["detections", index], message: `duplicate detection "${detection}"` });
        }
        seen.add(detection);
      });
      const { mode, tagKey } = confirmation.actors;
      if (mode !== "table" && tagKey === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["actors", "tagKey"],
          message: `is required with actors.mode "${mode}" (the IAM user tag holding the ${mode === "iam-tag" ? "Slack user id" : "email"})`,
        });
      }
    }),

  remediation: z
    .strictObject({
      /** `dry-run` records the exact calls without sending them (the local default). */
      mode: z.enum(REMEDIATION_MODES).default("dry-run"),
      circuitBreaker: z
        .strictObject({ maxActions: z.number().int().positive().default(10), windowMinutes: minutes.default(10) })
        .prefault({}),
      denyPolicyMinutes: minutes.default(30),
      /** WAF IP set that web scanners are added to. */
      wafIpSet: z
        .strictObject({
          name: z.string(),
          id: z.string(),
          scope: z.enum(["REGIONAL", "CLOUDFRONT"]),
          region: z.string().optional(),
        })
        .optional(),
      /** Network ACL that web scanners get a deny entry in (when no WAF IP set is configured). */
      networkAcl: z
        .strictObject({
          id: z.string().regex(/^acl-[0-9a-f]{8,17}$/, "expected a network ACL id such as acl-0123456789abcdef0"),
          region: z.string().optional(),
          /** Rule numbers Riposte may use; deny entries must come before the ACL's allow entries. */
          ruleNumbers: z
            .strictObject({
              first: z.number().int().min(1).max(32766).default(1),
              last: z.number().int().min(1).max(32766).default(99),
            })
            .prefault({})
            .refine((range) => range.first <= range.last, "expected first <= last"),
        })
        .optional(),
      /** What an unanswered approval does, unless the plan is destructive or on production (those reject). */
      onApprovalTimeout: z.enum(["approve", "reject"]).default("reject"),
      /**
       * Remediate incidents found in events posted to `POST /api/events` without approval, like any
       * other. Off by default: whoever holds the intake token could otherwise make Riposte change
       * real resources with made-up CloudTrail; such an incident waits for a human instead.
       */
      autoRemediateIntake: z.boolean().default(false),
      /** Re-reads before a verification counts as failed (AWS reads can lag behind writes). */
      verify: z
        .strictObject({
          attempts: z.number().int().min(1).max(10).default(3),
          delaySeconds: z.number().min(0).max(60).default(2),
        })
        .prefault({}),
    })
    .prefault({}),

  notify: z
    .strictObject({
      slack: z
        .strictObject({
          /** Channel id or name the incident messages go to. */
          channel: z.string().min(1),
          /** Retries of a failed Slack call (with backoff) before it is recorded as failed. */
          retries: z.number().int().min(0).max(5).default(2),
          /** Per-request timeout, so a hanging Slack never holds the workflow. */
          timeoutMs: z.number().int().positive().default(5000),
        })
        .optional(),
      sns: z
        .strictObject({
          topicArn: z
            .string()
            .regex(
              /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:(?:[\w-]{1,256}|[\w-]{1,251}\.fifo)$/,
              "expected an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:riposte-alerts",
            ),
        })
        .optional(),
      /** Base URL of the dashboard, for links in notifications. */
      dashboardUrl: z.string().url().optional(),
    })
    .prefault({}),

  /** The dashboard API and live push (the local server and the AWS api function). */
  api: z
    .strictObject({
      /** Browser origins (`scheme://host[:port]`) allowed to call the API besides its own; never a wildcard. */
      allowedOrigins: z
        .array(z.string().regex(/^https?:\/\/[^/*\s]+\/?$/, "expected an origin such as https://dash.example.com"))
        .default([]),
      /** Host names the local server answers to besides loopback (a defence against DNS rebinding). */
      allowedHosts: z.array(z.string().min(1)).default([]),
      /** Largest request body, except event intake. */
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(64 * 1024),
      /** Largest `POST /api/events` body (after gzip decoding). */
      maxEventsBodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(5 * 1024 * 1024),
      /** Seconds between WebSocket heartbeats; a client silent for two of them is dropped. */
      heartbeatSeconds: z.number().min(1).max(300).default(15),
    })
    .prefault({}),

  /** The one-machine runtime (`riposte serve`): the durable intake, the detection loop and its periodic jobs. */
  runtime: z
    .strictObject({
      /** Events the detection loop takes from the intake queue per transaction. */
      batchSize: z.number().int().min(1).max(10_000).default(500),
      /**
       * Milliseconds an idle detection loop waits after events arrive before taking a batch, so
       * separate deliveries arriving within this time (EventBridge posting events one by one,
       * concurrently; a file's chunks) are detected in event-time order together. It trades
       * latency for ordering: a finding that depends on the order (stateful detections', and the
       * few stateless ones whose outcome does: see the README) found by an idle loop is this much
       * later (a busy loop takes what is pending without waiting), while findings that are the
       * same whatever the order are taken at once. 0 detects each delivery at once,
       * in arrival order across deliveries (one delivery is always ordered by event time), which
       * a correlation that needs an order (a change, then its revert) can then miss.
       */
      settleMs: z.number().int().min(0).max(10_000).default(50),
      /** Hours a processed event's id is remembered, so a redelivered event (SQS, overlapping polls) is not detected twice. */
      dedupeHours: z.number().positive().default(24),
      /** Seconds between the periodic jobs: approval expiry, notice redelivery, expired changes, correlation state expiry. */
      jobsSeconds: z.number().int().min(1).max(3600).default(60),
      /** Seconds a task still running at shutdown may take to finish; after that it runs again after the restart. */
      shutdownGraceSeconds: z.number().min(0).max(600).default(20),
      /** Seconds the demo storyline takes to replay (the dashboard fills within the first minute). */
      demoSeconds: z.number().min(0).max(600).default(40),
      /**
       * Largest record `POST /api/events` accepts, as JSON (bytes): well under the 256 KiB Step
       * Functions input quota a finding (which carries its records as evidence) must fit in.
       */
      maxEventBytes: z
        .number()
        .int()
        .min(1024)
        .max(192 * 1024)
        .default(64 * 1024),
      /**
       * Largest single string (value or key) in an accepted record (bytes). 32 KiB holds the
       * largest policy document AWS takes as a string (a KMS key policy), so no real change can
       * be padded past it to be refused.
       */
      maxEventFieldBytes: z
        .number()
        .int()
        .min(1024)
        .max(192 * 1024)
        .default(32 * 1024),
      /** Minutes an accepted event's time may lie ahead of this machine's clock. */
      maxEventFutureMinutes: z
        .number()
        .min(0)
        .max(24 * 60)
        .default(15),
    })
    .prefault({}),

  /** Live event sources of `riposte serve` besides `POST /api/events`; each resumes from a persisted position. */
  sources: z
    .strictObject({
      /** A directory of CloudTrail log files (`AWSLogs/…` trees included); new files are read as they appear. */
      watch: z
        .strictObject({
          dir: z.string().min(1).optional(),
          /** Seconds between scans of the directory. */
          pollSeconds: z.number().min(0.1).max(3600).default(5),
          /** A file is read once its size and modification time stayed the same this long (it is fully written). */
          settleSeconds: z.number().min(0).max(600).default(2),
        })
        .prefault({}),
      /** An SQS queue an EventBridge rule delivers events to; messages are deleted once their events are persisted. */
      sqs: z
        .strictObject({
          queueUrl: z.string().url().optional(),
          /** Long-poll wait of each ReceiveMessage (0–20 s). */
          waitSeconds: z.number().int().min(0).max(20).default(20),
          /** Messages per ReceiveMessage (1–10). */
          maxMessages: z.number().int().min(1).max(10).default(10),
        })
        .prefault({}),
      /** Polling CloudTrail LookupEvents (management events) of the account the credentials belong to. */
      cloudtrailPoll: z
        .strictObject({
          enabled: z.boolean().default(false),
          /** Regions to poll; empty means the SDK's region (`AWS_REGION`). */
          regions: z
            .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected a region such as eu-west-1"))
            .default([]),
          /** Seconds between polls (LookupEvents allows two requests per second per account and region). */
          intervalSeconds: z.number().min(1).max(3600).default(60),
          /** Each poll looks this far behind the newest event seen: CloudTrail delivers events minutes late. */
          overlapMinutes: z
            .number()
            .min(0)
            .max(24 * 60)
            .default(20),
          /** How far back the first poll of a new data directory reads. */
          initialLookbackMinutes: z
            .number()
            .min(0)
            .max(90 * 24 * 60)
            .default(60),
          /** Include read-only calls (Describe*, List*…), which the access key and region detections learn from. */
          includeReadOnly: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),

  /**
   * Users' own rules: a directory of rule files (YAML or JSON, one rule per file; see
   * core/rules/format.ts), run by `riposte scan` and shown by `riposte rules list|test` beside the
   * built-in detections. A relative path is read from the working directory; `--rules` overrides it.
   */
  rules: z
    .strictObject({
      dir: z.string().min(1).optional(),
      /**
       * The most EventBridge rules a deployment may create on one event bus (built-in detections
       * and own rules together): EventBridge's quota of rules per bus, 300 unless the account had
       * it raised through Service Quotas. The deploy stops before creating anything past it.
       */
      maxPerBus: z
        .number()
        .int()
        .min(1)
        .max(MAX_RULES_PER_BUS_SETTING, `at most ${MAX_RULES_PER_BUS_SETTING}`)
        .default(EVENTBRIDGE_DEFAULT_RULES_PER_BUS),
    })
    .prefault({}),

  /**
   * AWS Security Hub. `export`: import each incident into Security Hub as its ASFF finding (the
   * account's default product) and keep its workflow status in step with Riposte's (NEW →
   * NOTIFIED → RESOLVED). AWS only: deploys a function fed by the incident table's stream, granted
   * BatchImportFindings and BatchUpdateFindings only when on. The local runtime does nothing with it.
   */
  securityHub: z.strictObject({ export: z.boolean().default(false) }).prefault({}),

  /** The AWS deployment (`stacks/`) and remediation in other accounts; the local runtime ignores it. */
  aws: z
    .strictObject({
      /** Encrypt the alerts topic with a customer-managed KMS key (alarms and functions are granted its use). */
      encryptAlerts: z.boolean().default(false),
      /**
       * Let the rules that learn from every API call (the baselines of anomalous key use, impossible
       * travel and unusual regions) also receive read-only calls (Get/List/Describe): more events,
       * better baselines. `secrets-bulk-read` watches read-only calls only and sees nothing without
       * them. Needs a trail logging read management events.
       */
      readOnlyManagementEvents: z.boolean().default(true),
      /**
       * Other regions to watch: each gets a rule forwarding the events the detections need to the
       * home region's default bus. Add us-east-1 when deploying elsewhere: IAM, STS and console
       * sign-in calls arrive there.
       */
      watchRegions: z
        .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region name such as us-east-1"))
        .max(30)
        .default([]),
      /** How long function and workflow logs are kept, in days (a CloudWatch Logs retention value). */
      logRetentionDays: z
        .number()
        .int()
        .refine((days) => LOG_RETENTION_DAYS.includes(days), `expected one of ${LOG_RETENTION_DAYS.join(", ")}`)
        .default(30),
      /** Candidate events of stateful detections reach the correlate function in SQS batches. */
      correlate: z
        .strictObject({
          batchSize: z.number().int().min(1).max(1000).default(100),
          /**
           * Concurrent correlate functions (SQS event source maximum concurrency, at least 2). The
           * default keeps up with 1,000 candidate events a second: infra/throughput.ts.
           */
          maxConcurrency: z.number().int().min(2).max(1000).default(26),
        })
        .prefault({}),
      /**
       * Org-wide mode: member accounts of this AWS Organization forward their events to a central
       * bus in the deployment account, and remediation acts in a member account through a role there.
       */
      organization: z
        .strictObject({
          id: z.string().regex(/^o-[a-z0-9]{10,32}$/, "expected an AWS Organizations id such as o-a1b2c3d4e5"),
          /** The role assumed in member accounts; its name must start with `protection.toolRolePrefix`. */
          memberRole: z
            .strictObject({
              name: z.string().regex(/^[\w+=,.@-]{1,64}$/, "expected an IAM role name"),
              /** Required by the member role's trust policy (sts:ExternalId), against the confused deputy. */
              externalId: z
                .string()
                .regex(/^[\w+=,.@:/-]{2,1224}$/, "expected 2 to 1224 characters of [A-Za-z0-9+=,.@:/_-]"),
            })
            .optional(),
        })
        .optional(),
    })
    .prefault({}),
});

export type RiposteConfig = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export { riskyPorts } from "./risky-ports.js";

/** The configured mode for a detection, or undefined when the catalog default applies. */
export function configuredMode(config: RiposteConfig, id: DetectionId): DetectionMode | undefined {
  const setting = config.detections[id];
  if (setting && !setting.enabled) return "off";
  return setting?.mode;
}
