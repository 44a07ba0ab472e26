import { CATALOG } from "../detections/catalog.js";
import type { Category, Severity } from "../model/catalog.js";
import type { Condition, FieldTest } from "./condition.js";
import { checkRegex } from "./regex.js";
import { patternOf, type Scalar } from "./sigma-pattern.js";

/**
 * Translating Sigma rules (logsource product aws, service cloudtrail) into users' rules
 * (`format.ts`), following the Sigma specification:
 * - a search identifier is a map (every field matches: AND) or a list of maps (any: OR); a field
 *   with a list of values matches any of them (`|all`: every one);
 * - values compare case-insensitively (`|cased`: with case); `*` is any run of characters, `?` one
 *   character, a backslash makes them literal; a string matches a number or boolean of the same
 *   text (`"true"` matches `true`); `null` matches a missing or null field;
 * - modifiers `contains`, `startswith`, `endswith`, `all`, `cased`, `exists`, `re` (with `i`, `m`,
 *   `s`), `cidr`, `gt`, `gte`, `lt`, `lte`, `neq`;
 * - conditions: `and`, `or`, `not`, parentheses, `1 of x*`, `any of x*`, `all of x*`, `them`.
 *
 * Where the semantics are exactly EventBridge's, the condition goes into the rule's pattern:
 * equality ignoring case (`equals-ignore-case`, plus the number or boolean a value may also be),
 * `startswith`/`endswith` (`prefix`/`suffix` ignoring case), `cidr`, and `gt`… (`numeric`, which
 * matches JSON numbers only: a caveat). eventSource and eventName values, which AWS writes in one
 * case, are pinned as exact strings so the engine indexes the rule by source and event name
 * (written in another case, they are matched ignoring case). An OR across fields whose branches
 * are each such exact tests (`selection and (a or b)`) becomes the pattern's `$or`. The whole
 * Sigma condition is then evaluated in code (`condition.ts`) unless the pattern says exactly the
 * same: `contains` and wildcards (EventBridge's `wildcard` is case-sensitive), `not`
 * (`anything-but` misses absent fields), `re`, `exists`, `null`, an OR with a branch of those or
 * with branches on other calls, and several conditions on one field.
 *
 * `contains` (or a wildcard) on a field that CloudTrail records as an object
 * (`requestParameters`, `responseElements`, `userIdentity`…) searches the object's JSON text, as
 * SIEMs that index the record as text do: translated with a caveat. Refused, with the reason:
 * other log sources, correlation rules and aggregations (`| count()`), keyword searches,
 * encodings (`base64`, `wide`, `windash`…), `expand` placeholders, field references, regular
 * expressions the condition language refuses (`regex.ts`). A rule that pins no eventSource in
 * every case (`userIdentity.type: Root`) is about every AWS service: its pattern selects
 * CloudTrail's detail-types from any `aws.` source, and the engine tests it on every event
 * (patterns are indexed by source and event name).
 */

export interface SigmaTranslation {
  /** The rule document (validated by `parseRule` before it is written). */
  rule?: Record<string, unknown>;
  /** What the translation could not carry exactly (translated with a caveat). */
  caveats: string[];
  /** Why the rule was not translated. */
  refused?: string;
}

class Refusal extends Error {}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

const LEVELS: Record<string, Severity> = {
  informational: "info",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

/** Fields CloudTrail records as objects: `contains` on them searches their JSON text. */
const OBJECT_FIELDS = new Set([
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "userIdentity",
  "userIdentity.sessionContext",
  "userIdentity.sessionContext.attributes",
  "userIdentity.sessionContext.sessionIssuer",
  "userIdentity.sessionContext.webIdFederationData",
  "resources",
  "serviceEventDetails",
  "tlsDetails",
  "insightDetails",
  "edgeDeviceDetails",
]);

const REFUSED_MODIFIERS: Record<string, string> = {
  base64: "encodings (base64) apply to Windows command lines, not to CloudTrail",
  base64offset: "encodings (base64offset) apply to Windows command lines, not to CloudTrail",
  wide: "encodings (wide) apply to Windows command lines, not to CloudTrail",
  utf16: "encodings (utf16) apply to Windows command lines, not to CloudTrail",
  utf16le: "encodings (utf16le) apply to Windows command lines, not to CloudTrail",
  utf16be: "encodings (utf16be) apply to Windows command lines, not to CloudTrail",
  windash: "windash applies to Windows command lines, not to CloudTrail",
  expand: "expand needs placeholder values from a Sigma pipeline configuration, which is not supported",
  fieldref: "field references (fieldref) compare two fields, which the condition language cannot",
};
const TIME_PARTS = new Set(["minute", "hour", "day", "week", "month", "year"]);

const SERVICE_CATEGORY: Record<string, Category> = {
  iam: "identity",
  sts: "identity",
  signin: "identity",
  sso: "identity",
  identitystore: "identity",
  organizations: "identity",
  cognito: "identity",
  "cognito-idp": "identity",
  "cognito-identity": "identity",
  cloudtrail: "logging",
  config: "logging",
  logs: "logging",
  monitoring: "logging",
  guardduty: "logging",
  securityhub: "logging",
  ec2: "network",
  elasticloadbalancing: "network",
  route53: "network",
  route53domains: "network",
  lambda: "network",
  cloudfront: "network",
  apigateway: "network",
  s3: "storage",
  rds: "storage",
  dynamodb: "storage",
  kms: "storage",
  secretsmanager: "storage",
  ssm: "storage",
  ebs: "storage",
  backup: "storage",
  glacier: "storage",
};

const TACTIC_ASFF: Record<string, string> = {
  "initial-access": "TTPs/Initial Access",
  execution: "TTPs/Execution",
  persistence: "TTPs/Persistence",
  "privilege-escalation": "TTPs/Privilege Escalation",
  "defense-evasion": "TTPs/Defense Evasion",
  "credential-access": "TTPs/Credential Access",
  discovery: "TTPs/Discovery",
  "lateral-movement": "TTPs/Lateral Movement",
  collection: "TTPs/Collection",
  "command-and-control": "TTPs/Command and Control",
  exfiltration: "Effects/Data Exfiltration",
  impact: "Effects",
};

/** ATT&CK technique names: those of the built-in catalog, and common cloud ones. */
const TECHNIQUES = new Map<string, string>([
  ["T1136", "Create Account"],
  ["T1136.003", "Create Account: Cloud Account"],
  ["T1098.003", "Account Manipulation: Additional Cloud Roles"],
  ["T1530", "Data from Cloud Storage"],
  ["T1537", "Transfer Data to Cloud Account"],
  ["T1580", "Cloud Infrastructure Discovery"],
  ["T1526", "Cloud Service Discovery"],
  ["T1087.004", "Account Discovery: Cloud Account"],
  ["T1069.003", "Permission Groups Discovery: Cloud Groups"],
  ["T1485", "Data Destruction"],
  ["T1486", "Data Encrypted for Impact"],
  ["T1490", "Inhibit System Recovery"],
  ["T1496", "Resource Hijacking"],
  ["T1552", "Unsecured Credentials"],
  ["T1552.005", "Unsecured Credentials: Cloud Instance Metadata API"],
  ["T1555.006", "Credentials from Password Stores: Cloud Secrets Management Stores"],
  ["T1578", "Modify Cloud Compute Infrastructure"],
  ["T1578.001", "Modify Cloud Compute Infrastructure: Create Snapshot"],
  ["T1578.002", "Modify Cloud Compute Infrastructure: Create Cloud Instance"],
  ["T1578.003", "Modify Cloud Compute Infrastructure: Delete Cloud Instance"],
  ["T1578.005", "Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations"],
  ["T1648", "Serverless Execution"],
  ["T1021.007", "Remote Services: Cloud Services"],
  ["T1199", "Trusted Relationship"],
  ["T1484", "Domain or Tenant Policy Modification"],
  ["T1484.002", "Domain or Tenant Policy Modification: Trust Modification"],
  ["T1548", "Abuse Elevation Control Mechanism"],
  ["T1548.005", "Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access"],
  ["T1562.001", "Impair Defenses: Disable or Modify Tools"],
  ["T1619", "Cloud Storage Object Discovery"],
  ["T1538", "Cloud Service Dashboard"],
  ["T1212", "Exploitation for Credential Access"],
  ["T1528", "Steal Application Access Token"],
  ["T1606", "Forge Web Credentials"],
  ["T1550", "Use Alternate Authentication Material"],
  ...CATALOG.map((definition) => [definition.attack.id, definition.attack.name] as [string, string]),
]);

// ---------------------------------------------------------------- values and field tests

interface Modifiers {
  op: "equals" | "contains" | "startswith" | "endswith" | "re" | "cidr" | "exists" | "gt" | "gte" | "lt" | "lte";
  all: boolean;
  cased: boolean;
  neq: boolean;
  regexFlags: string;
}

function readModifiers(names: string[]): Modifiers {
  const result: Modifiers = { op: "equals", all: false, cased: false, neq: false, regexFlags: "" };
  let operator: string | undefined;
  for (const raw of names) {
    const name = raw.toLowerCase();
    if (REFUSED_MODIFIERS[name]) refuse(REFUSED_MODIFIERS[name]);
    if (TIME_PARTS.has(name)) refuse(`the ${name} modifier (a part of a timestamp) is not supported`);
    if (name === "all") result.all = true;
    else if (name === "cased") result.cased = true;
    else if (name === "neq") result.neq = true;
    else if (name === "i" || name === "ignorecase") result.regexFlags += "i";
    else if (name === "m" || name === "multiline") result.regexFlags += "m";
    else if (name === "s" || name === "dotall") result.regexFlags += "s";
    else if (["contains", "startswith", "endswith", "re", "cidr", "exists", "gt", "gte", "lt", "lte"].includes(name)) {
      if (operator) refuse(`modifiers ${operator} and ${name} cannot be combined`);
      operator = name;
      result.op = name as Modifiers["op"];
    } else refuse(`unknown modifier "${raw}"`);
  }
  if (result.regexFlags && result.op !== "re") refuse("the regex flags i, m and s apply to re only");
  return result;
}

/** A Sigma string's parts: whether it has unescaped wildcards, and its literal text (escapes removed). */
function wildcardInfo(value: string): { wild: boolean; literal: string } {
  let wild = false;
  let literal = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    const next = value[i + 1];
    if (char === "\\" && (next === "*" || next === "?" || next === "\\")) {
      literal += next;
      i++;
    } else if (char === "*" || char === "?") wild = true;
    else literal += char;
  }
  return { wild, literal };
}

/** A Sigma value list of one field, as a condition (the field test, or several for `|all`). */
function fieldCondition(field: string, modifierNames: string[], raw: unknown, caveats: Set<string>): Condition {
  const mods = readModifiers(modifierNames);
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) refuse(`field ${field} has an empty list of values`);
  for (const value of values) {
    if (value !== null && typeof value === "object") refuse(`field ${field} has a value that is not a scalar`);
  }
  const cased = mods.cased ? { cased: true } : {};
  const combine = (tests: Condition[]): Condition => {
    const one = tests.length === 1 ? tests[0]! : mods.all ? { all: tests } : { any: tests };
    return mods.neq ? { not: one } : one;
  };
  switch (mods.op) {
    case "exists": {
      if (values.length !== 1 || typeof values[0] !== "boolean") refuse(`${field}|exists takes true or false`);
      return { field, exists: values[0] as boolean };
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const tests = values.map((value) => {
        const number = typeof value === "number" ? value : Number(value);
        if (typeof value === "boolean" || value === null || !Number.isFinite(number)) {
          refuse(`${field}|${mods.op} needs numbers`);
        }
        return { field, [mods.op]: number } as FieldTest;
      });
      return combine(tests);
    }
    case "cidr":
      return combine(values.map((value) => ({ field, cidr: String(value) })));
    case "re": {
      const tests = values.map((value) => {
        const source = simplifyRegex(String(value));
        const problem = checkRegex(source, mods.regexFlags);
        if (problem) refuse(`${field}|re ${JSON.stringify(source)}: ${problem}`);
        return { field, regex: source, ...(mods.regexFlags ? { regexFlags: mods.regexFlags } : {}) } as FieldTest;
      });
      caveats.add("re: matched with JavaScript regular expressions on the first 4,096 characters of a value");
      return combine(tests);
    }
    default: {
      const objectField = OBJECT_FIELDS.has(field);
      const tests = values.map((value): Condition => {
        if (value === null) {
          if (mods.op !== "equals") refuse(`${field}|${mods.op} cannot take null`);
          return { field, exists: false };
        }
        const text = String(value as Scalar);
        const { wild, literal } = wildcardInfo(text);
        if (objectField) {
          // An object's JSON text: what SIEMs search when a rule names the whole object.
          if (mods.op === "startswith" || mods.op === "endswith") {
            refuse(`${field}|${mods.op}: ${field} is an object in CloudTrail, with no start or end to match`);
          }
          const inner = wildcardInfo(text.replace(/^\*+/, "").replace(/(?<!\\)\*+$/, ""));
          if (mods.op === "equals" && !wild) refuse(`${field} is an object in CloudTrail: it never equals a string`);
          if (inner.wild) refuse(`${field}: wildcards inside a search of an object's JSON text are not supported`);
          caveats.add(`${field}: searched in the JSON text of the object, as SIEMs do`);
          return { field, jsonContains: inner.literal };
        }
        if (text === "" && mods.op !== "equals") refuse(`${field}|${mods.op} with an empty value`);
        if (!wild) {
          const op = mods.op === "equals" ? "equals" : mods.op;
          return { field, [op]: typeof value === "string" ? literal : value, ...cased } as FieldTest;
        }
        const glob =
          mods.op === "contains"
            ? `*${text}*`
            : mods.op === "startswith"
              ? `${text}*`
              : mods.op === "endswith"
                ? `*${text}`
                : text;
        return { field, wildcard: glob.replace(/\*\*+/g, "*"), ...cased } as FieldTest;
      });
      return combine(tests);
    }
  }
}

/** A search identifier's body: a map (AND of fields), or a list of maps (OR). */
function searchCondition(name: string, body: unknown, caveats: Set<string>): Condition {
  if (Array.isArray(body)) {
    if (body.length === 0) refuse(`search identifier ${name} is an empty list`);
    if (body.every((item) => typeof item !== "object" || item === null)) {
      refuse(
        `search identifier ${name} is a keyword search (values in any field), which CloudTrail rules cannot express`,
      );
    }
    const alternatives = body.map((item, index) => searchCondition(`${name}[${index}]`, item, caveats));
    return alternatives.length === 1 ? alternatives[0]! : { any: alternatives };
  }
  if (typeof body !== "object" || body === null) refuse(`search identifier ${name} is neither a map nor a list`);
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) refuse(`search identifier ${name} is empty`);
  const parts = entries.map(([key, value]) => {
    const [field, ...modifiers] = key.split("|");
    if (!field) refuse(`search identifier ${name} has a keyword search (a key with no field name)`);
    return fieldCondition(field!, modifiers, value, caveats);
  });
  return parts.length === 1 ? parts[0]! : { all: parts };
}

/**
 * A regex rewritten without the leading and trailing `.*` / `.+` that cannot change whether an
 * unanchored search matches (`.*X` finds what `X` finds, `X.+` what `X.` finds): fewer
 * repetitions, so more Sigma regexes pass `checkRegex`. Left alone with a top-level alternation.
 */
export function simplifyRegex(source: string): string {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") i++;
    else if (char === "[") {
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
    } else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "|" && depth === 0) return source;
  }
  let result = source;
  const leading = /^\.([*+])(?![*+?{])/.exec(result);
  if (leading) result = leading[1] === "*" ? result.slice(2) : `.${result.slice(2)}`;
  const trailing = /(^|[^\\])\.([*+])$/.exec(result);
  if (trailing && !/\\(\\\\)*\.[*+]$/.test(result)) {
    result = trailing[2] === "*" ? result.slice(0, -2) : result.slice(0, -1);
  }
  return result === "" ? "." + "{0}" : result;
}

// ---------------------------------------------------------------- the condition grammar

function tokenize(text: string): string[] {
  const tokens = text.match(/\(|\)|\||[^\s()|]+/g) ?? [];
  return tokens;
}

/** `not` binds tighter than `and`, which binds tighter than `or`. */
function parseCondition(text: string, searches: Map<string, Condition>): Condition {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at]?.toLowerCase();
  const expect = (token: string) => {
    if (peek() !== token) refuse(`condition "${text}": expected "${token}" at ${tokens[at] ?? "the end"}`);
    at++;
  };
  const matching = (pattern: string): Condition[] => {
    const names = [...searches.keys()].filter((name) =>
      pattern === "them" ? !name.startsWith("_") : globMatch(pattern, name),
    );
    if (names.length === 0) refuse(`condition "${text}": no search identifier matches ${pattern}`);
    return names.map((name) => searches.get(name)!);
  };
  const primary = (): Condition => {
    const token = peek();
    if (token === undefined) return refuse(`condition "${text}" ends too early`);
    if (token === "|") return refuse("aggregations (| count() …) are deprecated in Sigma: write a correlation rule");
    if (token === "(") {
      at++;
      const inner = or();
      expect(")");
      return inner;
    }
    if (token === "not") {
      at++;
      return { not: primary() };
    }
    if (/^\d+$/.test(token) || token === "all" || token === "any") {
      at++;
      expect("of");
      const target = tokens[at++];
      if (!target) return refuse(`condition "${text}": "of" needs search identifiers`);
      const parts = matching(target);
      if (token === "all") return parts.length === 1 ? parts[0]! : { all: parts };
      if (token !== "1" && token !== "any") return refuse(`"${token} of" (more than one) is not supported`);
      return parts.length === 1 ? parts[0]! : { any: parts };
    }
    if (token === "and" || token === "or" || token === ")") return refuse(`condition "${text}": unexpected "${token}"`);
    at++;
    const name = tokens[at - 1]!;
    if (name.includes("*")) return { any: matching(name) };
    const search = searches.get(name);
    if (!search) return refuse(`condition "${text}" names ${name}, which the detection does not define`);
    return search;
  };
  const and = (): Condition => {
    const parts = [primary()];
    while (peek() === "and") {
      at++;
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0]! : { all: parts };
  };
  const or = (): Condition => {
    const parts = [and()];
    while (peek() === "or") {
      at++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { any: parts };
  };
  const result = or();
  if (at < tokens.length) {
    if (tokens[at] === "|") refuse("aggregations (| count() …) are deprecated in Sigma: write a correlation rule");
    refuse(`condition "${text}": unexpected "${tokens[at]}"`);
  }
  return result;
}

/** A condition identifier pattern (`selection*`) against a name. */
function globMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`);
  return regex.test(name);
}

// ---------------------------------------------------------------- the rule

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value))
    return value.filter((item): item is string => typeof item === "string" && item.trim() !== "");
  return [];
}

/** A rule id for a Sigma rule: `sigma-` and its title, kebab-case, at most 64 characters. */
export function sigmaRuleId(title: string, taken: ReadonlySet<string>, sigmaId?: string): string {
  const base = `sigma-${slug(title) || "rule"}`.slice(0, 64).replace(/-+$/, "");
  if (!taken.has(base)) return base;
  const suffix = slug(sigmaId ?? "").slice(0, 8) || String(taken.size);
  return `${base.slice(0, 63 - suffix.length).replace(/-+$/, "")}-${suffix}`;
}

export interface SigmaOptions {
  /** Rule ids already used (the new id is not added). */
  taken?: ReadonlySet<string>;
  optionalPatternParts?: boolean;
  /** The Sigma rules a correlation rule may name, by `name` and by `id`. */
  rules?: ReadonlyMap<string, unknown>;
}

/** Translate one parsed Sigma document (a rule, or a correlation rule over one of `options.rules`). */
export function translateSigma(document: unknown, options: SigmaOptions = {}): SigmaTranslation {
  const caveats = new Set<string>();
  try {
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
      refuse("not a Sigma rule (a YAML map)");
    }
    const doc = document as Record<string, unknown>;
    if ("correlation" in doc || doc.type === "correlation") return translateCorrelation(doc, options);
    if (doc.action !== undefined) refuse(`rule collections (action: ${String(doc.action)}) are not supported`);
    const title = typeof doc.title === "string" ? doc.title.trim() : "";
    if (!title) refuse("the rule has no title");
    const logsource = (doc.logsource ?? {}) as Record<string, unknown>;
    const product = String(logsource.product ?? "").toLowerCase();
    const service = String(logsource.service ?? "").toLowerCase();
    if (product !== "aws" || service !== "cloudtrail") {
      refuse(
        `logsource is ${JSON.stringify({ product: logsource.product, service: logsource.service })}, not product aws / service cloudtrail`,
      );
    }
    const detection = doc.detection as Record<string, unknown> | undefined;
    if (typeof detection !== "object" || detection === null) refuse("the rule has no detection");
    const { condition: conditionText, timeframe, ...searchBodies } = detection as Record<string, unknown>;
    if (timeframe !== undefined) {
      refuse("timeframe with an aggregation is Sigma's deprecated form: write it as a correlation rule (event_count)");
    }
    const searches = new Map<string, Condition>();
    for (const [name, body] of Object.entries(searchBodies)) searches.set(name, searchCondition(name, body, caveats));
    const texts = Array.isArray(conditionText) ? conditionText : [conditionText];
    if (texts.length === 0 || texts.some((text) => typeof text !== "string" || text.trim() === "")) {
      refuse("the detection has no condition");
    }
    const parsed = (texts as string[]).map((text) => parseCondition(text, searches));
    const condition = parsed.length === 1 ? parsed[0]! : { any: parsed };
    const {
      pattern,
      exact,
      caveats: patternCaveats,
    } = patternOf(condition, {
      optionalParts: options.optionalPatternParts,
    });
    for (const caveat of patternCaveats) caveats.add(caveat);

    const tags = strings(doc.tags).map((tag) => tag.toLowerCase());
    const technique = tags.map((tag) => /^attack\.(t\d{4}(\.\d{3})?)$/.exec(tag)?.[1]?.toUpperCase()).find(Boolean);
    const tactics = tags.flatMap((tag) => {
      const asff = TACTIC_ASFF[tag.replace(/^attack\./, "").replaceAll("_", "-")];
      return asff && tag.startsWith("attack.") ? [asff] : [];
    });
    const level = typeof doc.level === "string" ? LEVELS[doc.level.toLowerCase()] : undefined;
    if (!level) caveats.add(`level ${JSON.stringify(doc.level ?? null)} is not a Sigma level: severity medium`);
    const firstSource = (pattern.source as unknown[])[0];
    const serviceName = typeof firstSource === "string" ? firstSource.slice(4) : "";
    const falsePositives = strings(doc.falsepositives);
    const references = strings(doc.references);
    const sigmaId = typeof doc.id === "string" ? doc.id : undefined;
    const rule: Record<string, unknown> = {
      id: sigmaRuleId(title, options.taken ?? new Set(), sigmaId),
      title: title.slice(0, 200),
      category: SERVICE_CATEGORY[serviceName] ?? "threat",
      severity: level ?? "medium",
      ...(technique
        ? { attack: { id: technique, name: TECHNIQUES.get(technique) ?? `ATT&CK technique ${technique}` } }
        : {}),
      description: (typeof doc.description === "string" && doc.description.trim()) || title,
      tuning:
        falsePositives.length > 0
          ? `Known false positives: ${falsePositives.join("; ")}. Edit the rule's condition to leave them out.`
          : "Edit the rule's pattern or condition to leave out what is expected in your accounts.",
      response: { mode: "notify" },
      ...(tactics.length > 0 ? { asff: [...new Set(tactics)] } : {}),
      pattern,
      ...(exact ? {} : { condition }),
      ...(references.length > 0 ? { references: references.slice(0, 50) } : {}),
      ...(falsePositives.length > 0 ? { falsePositives: falsePositives.slice(0, 50) } : {}),
      origin: {
        format: "sigma",
        ...(sigmaId ? { id: sigmaId } : {}),
        ...(typeof doc.status === "string" ? { status: doc.status } : {}),
        ...(typeof doc.author === "string" ? { author: doc.author.slice(0, 500) } : {}),
        ...(caveats.size > 0 ? { caveats: [...caveats] } : {}),
      },
    };
    return { rule, caveats: [...caveats] };
  } catch (error) {
    if (error instanceof Refusal) return { caveats: [...caveats], refused: error.message };
    throw error;
  }
}

const TIMESPAN = /^(\d+)([smhd])$/;
const UNIT_MINUTES: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: 24 * 60 };
const FIELD_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

/**
 * A Sigma correlation rule (`correlation:` with `type`, `rules`, `group-by`, `timespan` — or
 * `timeframe` — and `condition`) on the generic correlators: `event_count` → `event-count`,
 * `value_count` → `value-count` (distinct values of `condition.field`), with `gte: N` (at least
 * N) or `gt: N` (at least N+1). The base rule's selection becomes the rule's pattern and condition
 * (translated as any Sigma rule); the correlation's title, id, level, tags and references are the
 * rule's. Refused with the reason: `temporal` and `temporal_ordered` (several rules within a
 * window, in order or not: no generic correlator holds that state), several base rules, `aliases`,
 * and conditions that can only be judged when a window closes (`lt`, `lte`, `eq`, `neq`, ranges):
 * the correlators fire the moment the count is reached.
 */
function translateCorrelation(doc: Record<string, unknown>, options: SigmaOptions): SigmaTranslation {
  const correlation = doc.correlation;
  if (typeof correlation !== "object" || correlation === null || Array.isArray(correlation)) {
    return refuse("a correlation rule needs a correlation map");
  }
  const c = correlation as Record<string, unknown>;
  const type = String(c.type ?? "");
  if (type === "temporal" || type === "temporal_ordered") {
    return refuse(
      `${type} correlation (events of several rules within a window${type === "temporal_ordered" ? ", in order" : ""}) has no generic correlator: only event_count and value_count are translated`,
    );
  }
  if (type !== "event_count" && type !== "value_count") {
    return refuse(`correlation type ${JSON.stringify(c.type ?? null)} is not supported (event_count, value_count)`);
  }
  if (c.aliases !== undefined) refuse("field aliases across rules are not supported");
  const references = strings(c.rules);
  if (references.length !== 1) {
    refuse(
      `a correlation over ${references.length} rules is not supported: name exactly one base rule (the correlators count one selection)`,
    );
  }
  const base = options.rules?.get(references[0]!);
  if (base === undefined) {
    refuse(`base rule "${references[0]}" is not among the imported Sigma rules (by name or id)`);
  }
  const span = String(c.timespan ?? c.timeframe ?? "");
  const parsedSpan = TIMESPAN.exec(span);
  if (!parsedSpan) refuse(`timespan ${JSON.stringify(span)}: expected a number and a unit (s, m, h, d), such as 5m`);
  const windowMinutes = Number(parsedSpan![1]) * UNIT_MINUTES[parsedSpan![2]!]!;
  const groupBy = strings(c["group-by"]);
  for (const field of groupBy) if (!FIELD_PATH.test(field)) refuse(`group-by field ${JSON.stringify(field)}`);
  if (groupBy.length > 5) refuse("more than 5 group-by fields");
  const condition = (c.condition ?? {}) as Record<string, unknown>;
  if (typeof condition !== "object" || condition === null) refuse("the correlation has no condition");
  const { field, ...bounds } = condition;
  const operators = Object.keys(bounds);
  if (operators.length !== 1 || (operators[0] !== "gte" && operators[0] !== "gt")) {
    refuse(
      `condition ${JSON.stringify(bounds)}: only gte or gt alone translate (the correlators fire when the count is reached; fewer, exactly or a range can be judged only when a window closes)`,
    );
  }
  const bound = bounds[operators[0]!];
  if (typeof bound !== "number" || !Number.isInteger(bound) || bound < 0) {
    refuse(`condition ${operators[0]}: expected a whole number`);
  }
  const count = operators[0] === "gt" ? (bound as number) + 1 : (bound as number);
  if (count < 2) refuse(`a count of ${count} is the base rule alone: import it without the correlation`);
  if (count > 10_000) refuse(`a count of ${count} is over the correlators' 10000`);
  if (type === "value_count" && (typeof field !== "string" || !FIELD_PATH.test(field))) {
    refuse("value_count needs condition.field, the field whose distinct values are counted");
  }
  if (type === "event_count" && field !== undefined) refuse("event_count takes no condition.field");
  const baseDoc = base as Record<string, unknown>;
  // The base rule's selection, under the correlation's name, level, tags and references.
  const merged: Record<string, unknown> = {
    ...baseDoc,
    ...Object.fromEntries(
      ["title", "id", "status", "description", "author", "references", "falsepositives", "level", "tags"].flatMap(
        (key) => (doc[key] !== undefined ? [[key, doc[key]]] : []),
      ),
    ),
  };
  const translated = translateSigma(merged, { ...options, rules: undefined });
  if (translated.refused !== undefined) {
    return { caveats: translated.caveats, refused: `base rule "${references[0]}": ${translated.refused}` };
  }
  const rule = {
    ...translated.rule!,
    correlation: {
      type: type === "event_count" ? "event-count" : "value-count",
      groupBy,
      ...(type === "value_count" ? { field } : {}),
      count,
      windowMinutes,
    },
  };
  return { rule, caveats: translated.caveats };
}
