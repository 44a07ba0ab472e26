import type { RiposteConfig } from "../config/schema.js";
import type { Severity } from "../model/catalog.js";
import { foreignAccountTest } from "../risk/foreign-accounts.js";
import { type PolicyReading, readPolicy } from "../risk/resource-policy.js";
import { cloudTrailDraft } from "./draft.js";
import { NO_ERROR } from "./pattern-helpers.js";
import { accountOf, at, isObject, type Json, str } from "./record.js";
import type { DetectionText, EventPattern, StatelessDetection } from "./types.js";

/**
 * Declared detections: a detection as data — its texts, severity, ATT&CK technique, response,
 * ASFF types, the API calls it watches and the conditions EventBridge can check (pattern syntax)
 * — plus, only where data cannot say it, a `match` function that reads one candidate record and
 * says what it found. `declareDetection` turns a declaration into the `StatelessDetection` the
 * engine, the EventBridge rules, the docs and `riposte rules list` already work from, so a new
 * detection is one file (and its tests) plus its id in `core/model/catalog.ts`.
 *
 * Every declared detection fires only on a successful call (no `errorCode`) and never on
 * Riposte's own principals (the catalog adds loop prevention to every CloudTrail pattern).
 */

/** API calls of one service, as CloudTrail records them. */
export interface WatchedCalls {
  /** The EventBridge source, `aws.<service>`; the record's eventSource is `<service>.amazonaws.com`. */
  source: `aws.${string}`;
  /** The record's eventSource, when it is not `<service>.amazonaws.com`. */
  eventSource?: string;
  /** The EventBridge detail-type: API calls by default; console sign-ins have their own. */
  detailType?: "AWS API Call via CloudTrail" | "AWS Console Sign In via CloudTrail";
  /**
   * eventName values. `{ prefix }` matches the names that carry an API version suffix
   * (Lambda logs `CreateFunctionUrlConfig20211031`, `AddPermission20150331v2`).
   */
  names: readonly (string | { prefix: string })[];
  /**
   * Conditions on the record (`detail`, EventBridge pattern syntax) for these calls only, e.g. a
   * request flag one service's calls must carry. The pattern then has one `$or` branch per entry.
   */
  where?: EventPattern;
}

/** What a candidate record amounts to: the finding's resource, summary, facts (and severity when it varies). */
export interface Found {
  resource: string;
  summary: string;
  facts: Record<string, unknown>;
  /** Overrides the declared severity for this finding (e.g. shared with everyone vs one account). */
  severity?: Severity;
}

/** What `match` may use besides the record. */
export interface MatchContext {
  config: RiposteConfig;
  /**
   * Whether `account` is a 12-digit account id that is neither the event's account nor in
   * `trustedAccounts`. Anything else (a service principal, `*`, a malformed id) is not an account.
   */
  isForeignAccount(account: string): boolean;
}

export interface DetectionDeclaration extends Omit<DetectionText, "loopPrevention"> {
  /** ASFF finding types (`namespace/category/classifier`), for `scan --format asff` and OCSF. */
  asff: readonly string[];
  /** The candidate calls: one entry per service. */
  calls: readonly WatchedCalls[];
  /**
   * More conditions on the record (`detail`), in EventBridge pattern syntax: checked by EventBridge
   * on AWS and by the local matcher, before any code runs. Keep them to what every call shares.
   */
  where?: (config: RiposteConfig) => EventPattern;
  /** The finding in a candidate record, or undefined when it does not qualify. */
  match(record: Json, context: MatchContext): Found | undefined;
}

/** A declared detection, ready for the catalog. */
export type DeclaredDetection = StatelessDetection & { readonly asff: readonly string[] };

const eventSourceOf = (calls: WatchedCalls) => calls.eventSource ?? `${calls.source.slice(4)}.amazonaws.com`;

function nameMatches(names: WatchedCalls["names"], name: string): boolean {
  return names.some((entry) => (typeof entry === "string" ? entry === name : name.startsWith(entry.prefix)));
}

/** What the pattern of watched calls is made of (a declaration, stateless or correlated). */
export type WatchedCallsDeclaration = Pick<DetectionDeclaration, "id" | "calls" | "where">;

/** The EventBridge pattern of a declaration's candidate calls (successful ones only). */
export function callsPattern(declaration: WatchedCallsDeclaration, config: RiposteConfig): EventPattern {
  if (declaration.calls.length === 0) throw new Error(`detection ${declaration.id} watches no calls`);
  const sources = [...new Set(declaration.calls.map((calls) => calls.source))];
  const detailTypes = [...new Set(declaration.calls.map((calls) => calls.detailType ?? "AWS API Call via CloudTrail"))];
  const where = declaration.where?.(config) ?? {};
  for (const conditions of [where, ...declaration.calls.map((calls) => calls.where ?? {})]) {
    for (const key of ["eventSource", "eventName", "errorCode"]) {
      if (key in conditions) throw new Error(`detection ${declaration.id}: "where" may not constrain ${key}`);
    }
  }
  const branches = declaration.calls.length > 1 && declaration.calls.some((calls) => calls.where);
  if (branches && "$or" in where) {
    throw new Error(`detection ${declaration.id}: "where" may not have an $or when its calls have conditions`);
  }
  const calls = branches
    ? { $or: declaration.calls.map((entry) => ({ ...selection([entry]), ...entry.where })) }
    : { ...selection(declaration.calls), ...declaration.calls[0]!.where };
  return {
    source: sources,
    "detail-type": detailTypes,
    detail: { ...calls, ...NO_ERROR, ...where },
  };
}

/** The eventSource and eventName conditions that select some calls. */
function selection(calls: readonly WatchedCalls[]): EventPattern {
  const names = calls.flatMap((entry) => entry.names);
  const exact = [...new Set(names.filter((name): name is string => typeof name === "string"))];
  const prefixes = [
    ...new Set(names.filter((name): name is { prefix: string } => typeof name !== "string").map((n) => n.prefix)),
  ];
  return {
    eventSource: [...new Set(calls.map(eventSourceOf))],
    eventName: [...exact, ...prefixes.map((prefix) => ({ prefix }))],
  };
}

/**
 * The pair (eventSource, eventName) is one the declaration watches. A pattern over several
 * services selects every name on every one of them; this keeps `ssm:GetSecretValue` out.
 */
export function watches(declaration: Pick<DetectionDeclaration, "calls">, record: Json): boolean {
  const eventSource = str(record.eventSource);
  const eventName = str(record.eventName);
  return declaration.calls.some((calls) => eventSourceOf(calls) === eventSource && nameMatches(calls.names, eventName));
}

/** The context `match` gets for one record. */
export function matchContext(record: Json, config: RiposteConfig): MatchContext {
  return { config, isForeignAccount: foreignAccountTest(accountOf(record), config.trustedAccounts) };
}

/** Turn a declaration into a catalog detection. */
export function declareDetection(declaration: DetectionDeclaration): DeclaredDetection {
  const { calls: _calls, where: _where, match: _match, ...text } = declaration;
  return {
    ...text,
    stateful: false,
    buildPattern: (config) => callsPattern(declaration, config),
    evaluate(envelope, config) {
      const record = envelope.detail as Json;
      if (!isObject(record) || !watches(declaration, record)) return undefined;
      // EventBridge filtered failed calls already; a record replayed from an archive may not have been.
      if (record.errorCode !== undefined && record.errorCode !== null && record.errorCode !== "") return undefined;
      const found = declaration.match(record, matchContext(record, config));
      if (!found) return undefined;
      const draft = cloudTrailDraft(envelope, { resource: found.resource, summary: found.summary, facts: found.facts });
      return found.severity ? { ...draft, severity: found.severity } : draft;
    },
  };
}

/**
 * A policy CloudTrail logged as a JSON string (or, from some re-exports, as an object), read with
 * the risk model's grammar: the document, or the problem that makes it unreadable (never a guess).
 */
export function loggedPolicy(value: unknown): PolicyReading | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return readPolicy(value);
}

/** `requestParameters.<path>` of a record. */
export const request = (record: Json, ...path: string[]): unknown => at(record, "requestParameters", ...path);

/** `responseElements.<path>` of a record. */
export const response = (record: Json, ...path: string[]): unknown => at(record, "responseElements", ...path);
