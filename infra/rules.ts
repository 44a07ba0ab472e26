import { EVENTBRIDGE_DEFAULT_RULES_PER_BUS, type RiposteConfig } from "../core/config/schema.js";
import { MAX_PATTERN_CHARS } from "../core/deployment/quotas.js";
import { eventBridgeRules, selectsReadOnlyCalls, wantsReadOnlyEvents } from "../core/deployment/rules.js";
import type { EventPattern } from "../core/detections/types.js";
import type { Category, DetectionId } from "../core/model/catalog.js";
import type { FindingDetection } from "../core/model/incident.js";
import { FORWARD_RULE_ID, TOOL_RULE_MARKER } from "../core/model/rule-names.js";
import { compilePattern } from "../core/patterns/compile.js";
import type { UserRule } from "../core/rules/format.js";
import { pascalCase, stageName } from "./names.js";

/**
 * The EventBridge rules a deployment creates, from the detection catalog: one per enabled
 * detection, except the detections that read every API call (read-only management events
 * included), which share one rule. A stateless detection's rule starts its category's workflow
 * directly, its input transformed to the workflow input `{ detection, event }` (the open task
 * re-runs the detection's own checks, the pattern being only a pre-filter). A stateful
 * detection's rule sends its candidate events to the correlate queue, where the engine keeps the
 * state between events and runs every stateful detection on each event.
 */

export type RuleTarget = { kind: "workflow"; category: Category; inputTemplate: string } | { kind: "correlate" };

export interface DeployedRule {
  /** Kebab-case, stable: the rule's name is `ruleName(stage, id)` — the detection id for a single-detection rule. */
  id: string;
  /** The detections (or users' rules) whose candidate events the rule delivers. */
  detections: FindingDetection[];
  /** The first of `detections` (the only one, except for the combined read-only rule). */
  detection: FindingDetection;
  category: Category;
  stateful: boolean;
  /** PascalCase, stable: the rule's Pulumi name is `<logicalName>Rule`. */
  logicalName: string;
  /** The event pattern, as EventBridge takes it (JSON text). */
  pattern: string;
  target: RuleTarget;
  /**
   * The rule also receives read-only management events (Get/List/Describe): EventBridge delivers
   * those only to rules in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state.
   */
  readOnlyEvents: boolean;
}

export { MAX_PATTERN_CHARS };

/**
 * The input transformer template of a stateless rule. `<aws.events.event.json>` is the whole
 * original event, detail included, inserted as a JSON value; the detection id is a catalog
 * constant (kebab-case), so the template is valid JSON for every event.
 */
export function workflowInputTemplate(detection: FindingDetection): string {
  if (!/^[a-z0-9-]+$/.test(detection)) throw new Error(`detection id "${detection}" cannot be templated`);
  return `{"detection":"${detection}","event":<aws.events.event.json>}`;
}

/** Refuse a pattern EventBridge would reject or Riposte cannot evaluate the same way. */
function checkedPattern(detection: FindingDetection, pattern: EventPattern): string {
  compilePattern(pattern);
  const text = JSON.stringify(pattern);
  if (text.length > MAX_PATTERN_CHARS) {
    throw new Error(
      `the ${detection} pattern is ${text.length} characters, over EventBridge's ${MAX_PATTERN_CHARS}: shorten its configured lists`,
    );
  }
  return text;
}

/** Shared with remediation (core), which restores a disabled rule to the state it is declared with. */
export { FORWARD_RULE_ID, selectsReadOnlyCalls };

/**
 * Only AWS services can put events whose `source` starts with `aws.` (PutEvents refuses that
 * prefix); any other source, Riposte's own log records (`riposte.waf`, `riposte.alb`,
 * `riposte.vpcflow`) included, can be forged by anyone allowed `events:PutEvents` on the bus —
 * every principal of the organization, for the org bus. A forged WAF record could steer WAF or
 * network ACL blocks, so deployed rules select `aws.` sources only; those logs reach Riposte
 * through the API intake, which checks a token.
 */
const AWS_SOURCE = "aws.";
const ANY_AWS_SOURCE = [{ prefix: AWS_SOURCE }];

function awsSourcesOf(values: unknown): unknown[] {
  if (!Array.isArray(values)) return [];
  return values.filter(
    (value) =>
      (typeof value === "string" && value.startsWith(AWS_SOURCE)) ||
      (typeof value === "object" &&
        value !== null &&
        typeof (value as { prefix?: unknown }).prefix === "string" &&
        (value as { prefix: string }).prefix.startsWith(AWS_SOURCE)),
  );
}

/** The pattern with only AWS sources (a `source` condition added where it had none); undefined when none is left. */
export function awsSourcesOnly(pattern: EventPattern): EventPattern | undefined {
  const result: Record<string, unknown> = { ...pattern };
  const branches = result.$or as Record<string, unknown>[] | undefined;
  if ("source" in result) {
    const sources = awsSourcesOf(result.source);
    if (sources.length === 0) return undefined;
    result.source = sources;
  }
  if (Array.isArray(branches)) {
    const kept = branches.flatMap((branch) => {
      if (!("source" in branch)) return [branch];
      const sources = awsSourcesOf(branch.source);
      return sources.length > 0 ? [{ ...branch, source: sources }] : [];
    });
    if (kept.length === 0) return undefined;
    // A branch without a source is bounded by the top level's, or by its own added here.
    const bounded =
      "source" in result
        ? kept
        : kept.map((branch) => ("source" in branch ? branch : { source: ANY_AWS_SOURCE, ...branch }));
    const { $or: _, ...rest } = result;
    // EventBridge wants two alternatives or more: a lone one joins the top level.
    if (bounded.length === 1 && Object.keys(bounded[0]!).every((key) => !(key in rest))) {
      return { ...rest, ...bounded[0] } as EventPattern;
    }
    result.$or = bounded;
    return result as EventPattern;
  }
  return ("source" in result ? result : { source: ANY_AWS_SOURCE, ...result }) as EventPattern;
}

/** Enabled detections no EventBridge rule serves: they see only events posted to the API intake. */
export function intakeOnlyDetections(config: RiposteConfig): FindingDetection[] {
  return eventBridgeRules(config)
    .filter((rule) => awsSourcesOnly(rule.pattern) === undefined)
    .map((rule) => rule.detection);
}

/**
 * Stateless detections deployed to the correlate queue instead of a rule that starts their
 * workflow. One security-group change (AuthorizeSecurityGroupIngress, ModifySecurityGroupRules)
 * matches the patterns of several of them, and each matching rule started an execution — two to
 * four per change, most ending at NoFinding, each costing a StartExecution token and state
 * transitions in a storm. Through the queue (which already receives those events for the stateful
 * security-group detections), the correlate function runs them all once per event and starts one
 * execution per finding, named after its incident: a second delivery starts none. The cost is the
 * batching window (a few seconds) before the workflow starts. Detection ids and incident ids are
 * unchanged.
 */
export const CORRELATED_STATELESS: readonly DetectionId[] = [
  "sg-ssh-open-world",
  "sg-rule-modified-open",
  "sg-high-risk-port-open",
  "sg-temporary-rule",
  "sg-ssh-restricted-cidr",
];

/** The detections the correlate function runs on the events the rules queue: stateful ones and `CORRELATED_STATELESS`. */
export function correlatedDetections(statefulIds: readonly DetectionId[]): DetectionId[] {
  return [...statefulIds, ...CORRELATED_STATELESS.filter((id) => !statefulIds.includes(id))];
}

/**
 * The id of the one rule that serves every stateful detection reading every read-only call
 * (`access-key-anomalous-use`, `impossible-travel`, `unusual-region`): nearly every API call
 * matches all three, and one rule queues one copy of it instead of one per detection. Detections
 * that watch particular read-only calls (`secrets-bulk-read`) keep a rule of their own, in the
 * same state: merged, the pattern would outgrow EventBridge's limit. A call both select reaches
 * the correlate queue twice, and the correlate function processes it once.
 */
export const READ_ONLY_RULE_ID = "read-only-activity";

/**
 * Every rule a deployment of `config` creates, in catalog order, then one per user's rule (the
 * rules directory, validated: `infra/config.ts`): AWS sources only. A user's rule starts its
 * category's workflow like a stateless detection; the open task runs the rule (pattern and
 * condition) on the event again from the deployed rules.
 */
export function deployedRules(config: RiposteConfig, userRules: readonly UserRule[] = []): DeployedRule[] {
  const single = eventBridgeRules(config, userRules)
    .flatMap((rule) => {
      const pattern = awsSourcesOnly(rule.pattern);
      return pattern ? [{ ...rule, pattern }] : [];
    })
    .map(
      (rule): DeployedRule => ({
        id: rule.detection,
        detections: [rule.detection],
        detection: rule.detection,
        category: rule.category,
        stateful: rule.stateful,
        logicalName: rule.userRule ? `Own${pascalCase(rule.detection)}` : pascalCase(rule.detection),
        pattern: checkedPattern(rule.detection, rule.pattern),
        target:
          rule.stateful || (CORRELATED_STATELESS as readonly string[]).includes(rule.detection)
            ? { kind: "correlate" }
            : { kind: "workflow", category: rule.category, inputTemplate: workflowInputTemplate(rule.detection) },
        readOnlyEvents: wantsReadOnlyEvents(config, rule),
      }),
    );
  const deployed = combineReadOnlyRules(single);
  checkRuleLimits(deployed, config.rules.maxPerBus);
  return deployed;
}

/**
 * Two rules with one logical name, or more rules than a bus takes (`rules.maxPerBus`: EventBridge's
 * quota of rules per bus), stop the deploy before anything is created rather than half-way.
 */
function checkRuleLimits(rules: readonly DeployedRule[], maxPerBus: number): void {
  const byName = new Map<string, string>();
  for (const rule of rules) {
    const earlier = byName.get(rule.logicalName);
    if (earlier) {
      throw new Error(
        `rules "${earlier}" and "${rule.id}" would both be deployed as ${rule.logicalName}Rule: rename one of them`,
      );
    }
    byName.set(rule.logicalName, rule.id);
  }
  if (rules.length > maxPerBus) {
    const quota =
      maxPerBus === EVENTBRIDGE_DEFAULT_RULES_PER_BUS
        ? `EventBridge's default quota of ${maxPerBus} rules per bus`
        : `rules.maxPerBus (${maxPerBus})`;
    throw new Error(
      `the deployment needs ${rules.length} EventBridge rules on each bus, over ${quota}: remove rules from rules.dir or disable detections, or have the quota raised (Service Quotas) and set rules.maxPerBus`,
    );
  }
}

/**
 * The stateful rules that want every read-only call, as one rule in the place of the first: its
 * pattern is the `$or` of theirs, so it selects exactly what they selected together, and the
 * correlate function runs every stateful detection on each event it delivers.
 */
function combineReadOnlyRules(rules: DeployedRule[]): DeployedRule[] {
  const combined = rules.filter(
    (rule) =>
      rule.readOnlyEvents &&
      rule.target.kind === "correlate" &&
      selectsReadOnlyCalls(JSON.parse(rule.pattern) as EventPattern),
  );
  if (combined.length < 2) return rules;
  const first = combined[0]!;
  const pattern = JSON.stringify({ $or: combined.map((rule) => JSON.parse(rule.pattern) as EventPattern) });
  compilePattern(JSON.parse(pattern) as EventPattern);
  const detections = combined.flatMap((rule) => rule.detections);
  if (pattern.length > MAX_PATTERN_CHARS) {
    throw new Error(
      `the combined pattern of ${detections.join(", ")} is ${pattern.length} characters, over EventBridge's ${MAX_PATTERN_CHARS}: shorten their configured lists (thresholds.unusualRegion.globalServices)`,
    );
  }
  const merged: DeployedRule = {
    ...first,
    id: READ_ONLY_RULE_ID,
    detections,
    logicalName: pascalCase(READ_ONLY_RULE_ID),
    pattern,
  };
  return rules.flatMap((rule) => (rule === first ? [merged] : combined.includes(rule) ? [] : [rule]));
}

/**
 * Whether a pattern keeps out events made by a role named with `prefix`: somewhere in it, a
 * `userName` (session issuer, or GuardDuty's access key user) must be `anything-but` that prefix.
 */
export function hasLoopPrevention(pattern: unknown, prefix: string): boolean {
  if (Array.isArray(pattern)) return pattern.some((item) => hasLoopPrevention(item, prefix));
  if (pattern === null || typeof pattern !== "object") return false;
  for (const [key, value] of Object.entries(pattern)) {
    if (
      key === "userName" &&
      Array.isArray(value) &&
      value.some((condition) => {
        const anythingBut = (condition as { "anything-but"?: { prefix?: unknown } } | null)?.["anything-but"];
        return anythingBut?.prefix === prefix;
      })
    ) {
      return true;
    }
    if (hasLoopPrevention(value, prefix)) return true;
  }
  return false;
}

/**
 * How every rule target is retried: EventBridge's maximum (24 hours, 185 attempts); what still
 * fails goes to a dead-letter queue in the rule's region (EventBridge requires the same region).
 */
export const TARGET_RETRY_POLICY = { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 } as const;

/** EventBridge rule names: at most 64 characters. */
const RULE_NAME_MAX = 64;

/**
 * The name of a rule (`DeployedRule.id`, or `forward` for the region forwarding rule) in a stage
 * (the same on the default and the org bus): `<stage>-riposte-<id>`, as `core/model/rule-names.ts`
 * defines and the `eventbridge-rule-disabled` detection recognises.
 */
export function ruleName(stage: string, id: string): string {
  return stageName(stage, `${TOOL_RULE_MARKER}${id}`, RULE_NAME_MAX);
}

/**
 * The ARN patterns (`ArnLike`) of every detection rule of a stage, on the default bus and on the
 * org bus when there is one: what the queues' policies admit, in a few hundred bytes however many
 * rules there are (listing each rule's ARN took about 7.5 KB of SQS's 8 KB in org mode).
 */
export function ruleArnPatterns(where: {
  partition: string;
  region: string;
  account: string;
  stage: string;
  organizationBusName?: string;
}): string[] {
  const prefix = ruleName(where.stage, "");
  // A name cut to fit keeps its first 55 characters (names.ts fitName), so the prefix must fit in them.
  if (prefix.length > RULE_NAME_MAX - 9) throw new Error(`stage "${where.stage}" is too long for rule names`);
  const base = `arn:${where.partition}:events:${where.region}:${where.account}:rule/`;
  return [
    `${base}${prefix}*`,
    ...(where.organizationBusName ? [`${base}${where.organizationBusName}/${prefix}*`] : []),
  ];
}

/** A queue's policy: EventBridge may send to it only for the stage's detection rules. */
export function rulesQueuePolicy(queueArn: string, rulePatterns: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RiposteRules",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnLike: { "aws:SourceArn": [...rulePatterns] } },
      },
    ],
  };
}
